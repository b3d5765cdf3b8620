import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useApi } from "../apiContext";

export const SNAPSHOT_INTERVAL_MS = 2000;

interface Props {
  cameraId: string;
  name: string;
  /** False for disabled cameras: nothing is fetched. */
  active: boolean;
}

type View = { kind: "image"; url: string } | { kind: "none" };

/**
 * Latest JPEG of a camera, refreshed every ~2 s with the bearer token.
 * Each frame becomes an object URL; the previous one is revoked.
 */
export function Snapshot({ cameraId, name, active }: Props) {
  const api = useApi();
  const { t } = useTranslation();
  const [view, setView] = useState<View>({ kind: "none" });

  useEffect(() => {
    if (!active) {
      setView({ kind: "none" });
      return;
    }
    const controller = new AbortController();
    let current: string | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const show = (url: string | null): void => {
      if (current) URL.revokeObjectURL(current);
      current = url;
      setView(url ? { kind: "image", url } : { kind: "none" });
    };
    const tick = async (): Promise<void> => {
      if (!document.hidden) {
        try {
          const blob = await api.snapshot(cameraId, controller.signal);
          if (controller.signal.aborted) return;
          show(blob ? URL.createObjectURL(blob) : null);
        } catch {
          if (controller.signal.aborted) return;
          show(null);
        }
      }
      timer = setTimeout(() => void tick(), SNAPSHOT_INTERVAL_MS);
    };
    void tick();
    return () => {
      controller.abort();
      if (timer !== undefined) clearTimeout(timer);
      if (current) URL.revokeObjectURL(current);
      current = null;
    };
  }, [api, cameraId, active]);

  if (view.kind === "image") {
    return (
      <div className="snapshot">
        <img
          src={view.url}
          alt={t("wall.snapshotAlt", { name })}
          data-testid="camera-snapshot"
          draggable={false}
        />
      </div>
    );
  }
  return (
    <div className="snapshot snapshot-empty" data-testid="camera-snapshot-placeholder">
      <span>{active ? t("wall.noFrame") : t("wall.paused")}</span>
    </div>
  );
}
