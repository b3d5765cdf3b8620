/** 回放 without a camera: pick one. */
import { useCallback } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import { useApi } from "../apiContext";
import { ErrorText } from "../components/ErrorText";
import { errorLines } from "../errorMessage";
import { usePolling } from "../usePolling";

export function PlaybackIndex() {
  const client = useApi();
  const { t } = useTranslation();
  const fetchCameras = useCallback((s: AbortSignal) => client.cameras(s), [client]);
  const { data, error } = usePolling(fetchCameras, 30000);
  return (
    <div className="page">
      <div className="page-head">
        <h1 className="page-title" data-testid="page-title">{t("playback.title")}</h1>
      </div>
      <p className="muted">{t("playback.pick")}</p>
      <ErrorText lines={error ? errorLines(error, t) : []} />
      <ul className="tour-list" data-testid="playback-cameras">
        {(data ?? []).map((c) => (
          <li key={c.id} className="panel tour-row">
            <Link to={`/playback/${encodeURIComponent(c.id)}`} data-testid="playback-camera">{c.name}</Link>
            <span className="muted small">{c.unit_name}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
