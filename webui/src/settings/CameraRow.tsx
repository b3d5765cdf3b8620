import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import { useApi } from "../apiContext";
import { ErrorText } from "../components/ErrorText";
import { StatusBadge } from "../components/StatusBadge";
import { errorLines } from "../errorMessage";
import type { Camera } from "../types";
import { cameraChanges, draftOf, maskUrl, type CameraDraft, type UnitOption } from "./cameraForm";
import { UnitSelect } from "./UnitSelect";

interface Props {
  camera: Camera;
  units: UnitOption[];
  canEdit: boolean;
  columns: number;
  /** Called after a successful change with a message for the user. */
  onChanged: (message: string) => void;
}

export function CameraRow({ camera, units, canEdit, columns, onChanged }: Props) {
  const api = useApi();
  const { t } = useTranslation();
  const [draft, setDraft] = useState<CameraDraft | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string[]>([]);

  const set = <K extends keyof CameraDraft>(key: K, value: CameraDraft[K]): void =>
    setDraft((d) => (d ? { ...d, [key]: value } : d));

  const run = async (action: () => Promise<string | null>): Promise<void> => {
    setBusy(true);
    setError([]);
    try {
      const message = await action();
      setDraft(null);
      if (message) onChanged(message);
    } catch (err) {
      setError(errorLines(err, t));
    } finally {
      setBusy(false);
    }
  };

  const save = (): void => {
    if (!draft) return;
    const changes = cameraChanges(camera, draft);
    if (Object.keys(changes).length === 0) {
      setDraft(null);
      return;
    }
    void run(async () => {
      const updated = await api.updateCamera(camera.id, changes);
      return t("camera.updated", { name: updated.name });
    });
  };

  const remove = (): void => {
    if (!window.confirm(t("camera.confirmDelete", { name: camera.name, id: camera.id }))) return;
    void run(async () => {
      await api.deleteCamera(camera.id);
      return t("camera.deleted", { name: camera.name });
    });
  };

  const yesNo = (value: boolean): string => (value ? t("camera.yes") : t("camera.no"));

  return (
    <>
      <tr data-testid="camera-row" data-camera-id={camera.id} className={draft ? "editing" : undefined}>
        <td className="mono">{camera.id}</td>
        {draft ? (
          <>
            <td>
              <input data-testid="camera-edit-name" value={draft.name} onChange={(e) => set("name", e.target.value)} />
            </td>
            <td>
              <input data-testid="camera-edit-url" value={draft.url} onChange={(e) => set("url", e.target.value)} />
            </td>
            <td>
              <UnitSelect
                testId="camera-edit-unit"
                value={draft.unit_id}
                options={units}
                fallbackName={camera.unit_name}
                onChange={(v) => set("unit_id", v)}
              />
            </td>
            <td>
              <input
                data-testid="camera-edit-fps"
                className="input-narrow"
                type="number"
                min="0.1"
                step="0.1"
                value={draft.analysis_fps}
                onChange={(e) => set("analysis_fps", e.target.value)}
              />
            </td>
            <td>{yesNo(camera.loop)}</td>
            <td>
              <input
                data-testid="camera-edit-enabled"
                type="checkbox"
                checked={draft.enabled}
                aria-label={t("camera.enabled")}
                onChange={(e) => set("enabled", e.target.checked)}
              />
            </td>
          </>
        ) : (
          <>
            <td>{camera.name}</td>
            <td className="mono url-cell" title={maskUrl(camera.url)}>
              {maskUrl(camera.url)}
            </td>
            <td>{camera.unit_name}</td>
            <td className="num">{camera.analysis_fps}</td>
            <td>{yesNo(camera.loop)}</td>
            <td>{yesNo(camera.enabled)}</td>
          </>
        )}
        <td>
          <StatusBadge status={camera.status} />
        </td>
        {canEdit && (
          <td className="actions">
            {draft ? (
              <>
                <button type="button" className="btn btn-primary btn-sm" data-testid="camera-save" disabled={busy} onClick={save}>
                  {busy ? t("camera.saving") : t("camera.save")}
                </button>
                <button
                  type="button"
                  className="btn btn-ghost btn-sm"
                  data-testid="camera-cancel"
                  disabled={busy}
                  onClick={() => {
                    setDraft(null);
                    setError([]);
                  }}
                >
                  {t("camera.cancel")}
                </button>
              </>
            ) : (
              <>
                <button
                  type="button"
                  className="btn btn-ghost btn-sm"
                  data-testid="camera-edit"
                  disabled={busy}
                  onClick={() => setDraft(draftOf(camera))}
                >
                  {t("camera.edit")}
                </button>
                <Link
                  className="btn btn-ghost btn-sm ze-open"
                  to={`/settings/cameras/${encodeURIComponent(camera.id)}/zones`}
                  title={t("zoneEditor.openTitle")}
                  data-testid="camera-zones"
                >
                  {t("zoneEditor.open")}
                </Link>
                <Link
                  className="btn btn-ghost btn-sm"
                  to={`/settings/cameras/${encodeURIComponent(camera.id)}/density`}
                  title={t("densityCal.openTitle")}
                  data-testid="camera-density"
                >
                  {t("densityCal.open")}
                </Link>
                <button type="button" className="btn btn-danger btn-sm" data-testid="camera-delete" disabled={busy} onClick={remove}>
                  {t("camera.delete")}
                </button>
              </>
            )}
          </td>
        )}
      </tr>
      {error.length > 0 && (
        <tr className="row-error">
          <td colSpan={columns}>
            <ErrorText lines={error} testId="camera-row-error" />
          </td>
        </tr>
      )}
    </>
  );
}
