import { useTranslation } from "react-i18next";
import { showsLastError, statusStyle } from "../status";
import type { Camera } from "../types";
import { Snapshot } from "./Snapshot";
import { StatusBadge } from "./StatusBadge";

function details(camera: Camera): { width: number; height: number } | null {
  const h = camera.health;
  if (!h || h.width === null || h.height === null) return null;
  return { width: h.width, height: h.height };
}

export function CameraCard({ camera }: { camera: Camera }) {
  const { t } = useTranslation();
  const size = camera.status === "disabled" ? null : details(camera);
  const fps = camera.health && camera.status === "online" ? camera.health.fps_decoded : null;
  const dim = statusStyle(camera.status).dim;
  return (
    <article
      className={dim ? "camera-card camera-card-dim" : "camera-card"}
      data-testid="camera-card"
      data-camera-id={camera.id}
      data-status={camera.status}
    >
      <Snapshot cameraId={camera.id} name={camera.name} active={camera.status !== "disabled"} />
      <div className="camera-card-body">
        <div className="camera-card-head">
          <h3 className="camera-name" title={camera.name}>
            {camera.name}
          </h3>
          <StatusBadge status={camera.status} />
        </div>
        <div className="camera-meta">
          <span className="camera-unit">{camera.unit_name}</span>
          {size && (
            <span className="camera-tech" data-testid="camera-resolution">
              {t("wall.resolution", size)}
            </span>
          )}
          {fps !== null && (
            <span className="camera-tech" data-testid="camera-fps">
              {t("wall.fps", { fps: fps.toFixed(1) })}
            </span>
          )}
        </div>
        {showsLastError(camera.status) && camera.last_error && (
          <div className="camera-error" data-testid="camera-error" title={camera.last_error}>
            {t("wall.lastError", { error: camera.last_error })}
          </div>
        )}
      </div>
    </article>
  );
}
