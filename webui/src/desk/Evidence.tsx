import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import { BoardExports } from "./BoardExports";
import { EventClips } from "./EventClips";
import type { DeskApi } from "./deskApi";
import type { Alert } from "./types";
import { districtDateTime } from "../districtTime";

const RETRIES = 5;
const RETRY_MS = 1000;

/** The alert's snapshot (fetched with the token; retried while the recorder saves it). */
function SnapshotImage({ desk, eventId, alt }: { desk: DeskApi; eventId: string; alt: string }) {
  const { t } = useTranslation();
  const [url, setUrl] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let current: string | null = null;
    setUrl(null);
    setMissing(false);
    const attempt = async (left: number): Promise<void> => {
      try {
        const blob = await desk.snapshot(eventId, controller.signal);
        if (controller.signal.aborted) return;
        if (blob) {
          current = URL.createObjectURL(blob);
          setUrl(current);
        } else if (left > 0) {
          timer = setTimeout(() => void attempt(left - 1), RETRY_MS);
        } else {
          setMissing(true);
        }
      } catch {
        if (!controller.signal.aborted) setMissing(true);
      }
    };
    void attempt(RETRIES);
    return () => {
      controller.abort();
      if (timer !== undefined) clearTimeout(timer);
      if (current) URL.revokeObjectURL(current);
    };
  }, [desk, eventId]);

  if (url) return <img src={url} alt={alt} data-testid="evidence-snapshot" draggable={false} />;
  return (
    <div className="evidence-none" data-testid="evidence-no-snapshot">
      {missing ? t("desk.evidence.noSnapshot") : t("app.loading")}
    </div>
  );
}

export function Evidence({ desk, alert, locale }: { desk: DeskApi; alert: Alert; locale: string }) {
  const { t } = useTranslation();
  const eventTime = districtDateTime(alert.first_event_at, locale);
  return (
    <section className="evidence" data-testid="evidence">
      <h3 className="panel-subtitle">{t("desk.evidence.title")}</h3>
      <div className="evidence-grid">
        <figure className="evidence-shot">
          {alert.snapshot_event_id ? (
            <SnapshotImage
              desk={desk}
              eventId={alert.snapshot_event_id}
              alt={`${t("desk.evidence.snapshot")} · ${alert.camera_name}`}
            />
          ) : (
            <div className="evidence-none">{t("desk.evidence.noSnapshot")}</div>
          )}
        </figure>
        <div className="evidence-links">
          <Link className="btn" to={`/live/${encodeURIComponent(alert.camera_id)}`} data-testid="evidence-live">
            {t("desk.evidence.live")}
          </Link>
          <span className="muted" data-testid="evidence-time">{eventTime}</span>
        </div>
        <EventClips desk={desk} alert={alert} />
        <BoardExports desk={desk} alertId={alert.id} locale={locale} />
      </div>
    </section>
  );
}
