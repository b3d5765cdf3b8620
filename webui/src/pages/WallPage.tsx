import { useCallback } from "react";
import { useTranslation } from "react-i18next";
import { useApi } from "../apiContext";
import { CameraCard } from "../components/CameraCard";
import { ErrorText } from "../components/ErrorText";
import { errorLines } from "../errorMessage";
import { currentLang, HTML_LANG } from "../i18n";
import type { Camera } from "../types";
import { usePolling } from "../usePolling";

export const WALL_POLL_MS = 2000;

export function wallSummary(cameras: readonly Camera[]): { online: number; total: number } {
  return {
    online: cameras.filter((c) => c.status === "online").length,
    total: cameras.length,
  };
}

export function WallPage() {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const fetchCameras = useCallback((signal: AbortSignal) => api.cameras(signal), [api]);
  const { data: cameras, error, updatedAt } = usePolling(fetchCameras, WALL_POLL_MS);
  const summary = wallSummary(cameras ?? []);
  const locale = HTML_LANG[currentLang(i18n)];

  return (
    <div className="page page-wall">
      <div className="page-head">
        <h1 className="page-title" data-testid="page-title">
          {t("wall.title")}
        </h1>
        {cameras && (
          <div className="wall-summary" data-testid="wall-summary">
            <span className="summary-dot" aria-hidden="true" />
            {t("wall.summary", summary)}
          </div>
        )}
        {updatedAt !== null && (
          <div className="muted small">
            {t("wall.updated", {
              time: new Date(updatedAt).toLocaleTimeString(locale, { hour12: false }),
            })}
          </div>
        )}
      </div>
      {error !== null && (
        <ErrorText lines={[t("error.loadCameras"), ...errorLines(error, t)]} testId="wall-error" />
      )}
      {cameras === null && error === null && <p className="muted">{t("app.loading")}</p>}
      {cameras !== null && cameras.length === 0 && (
        <p className="empty" data-testid="wall-empty">
          {t("wall.empty")}
        </p>
      )}
      {cameras !== null && cameras.length > 0 && (
        <div className="camera-grid" data-testid="camera-grid">
          {cameras.map((camera) => (
            <CameraCard key={camera.id} camera={camera} />
          ))}
        </div>
      )}
    </div>
  );
}
