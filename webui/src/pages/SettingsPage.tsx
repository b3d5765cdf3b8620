import { useCallback, useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useApi } from "../apiContext";
import { useAuth } from "../authContext";
import { ErrorText } from "../components/ErrorText";
import { HealthPanel } from "../components/HealthPanel";
import { errorLines } from "../errorMessage";
import { CameraAddForm } from "../settings/CameraAddForm";
import { CameraTable } from "../settings/CameraTable";
import { unitOptions } from "../settings/cameraForm";
import type { Unit } from "../types";
import { usePolling } from "../usePolling";

const CAMERAS_POLL_MS = 5000;
const HEALTH_POLL_MS = 30000;

export function SettingsPage() {
  const api = useApi();
  const { t } = useTranslation();
  const { user } = useAuth();
  const isAdmin = user?.role === "admin";
  const fetchCameras = useCallback((signal: AbortSignal) => api.cameras(signal), [api]);
  const fetchHealth = useCallback((signal: AbortSignal) => api.health(signal), [api]);
  const cameras = usePolling(fetchCameras, CAMERAS_POLL_MS);
  const health = usePolling(fetchHealth, HEALTH_POLL_MS);
  const [units, setUnits] = useState<Unit[]>([]);
  const [unitsError, setUnitsError] = useState<unknown>(null);
  const [notice, setNotice] = useState("");

  useEffect(() => {
    if (!isAdmin) return;
    const controller = new AbortController();
    api
      .units(controller.signal)
      .then(setUnits)
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setUnitsError(err);
      });
    return () => controller.abort();
  }, [api, isAdmin]);

  const options = useMemo(() => unitOptions(units.filter((u) => u.in_scope)), [units]);
  const { refresh } = cameras;
  const changed = useCallback(
    (message: string) => {
      setNotice(message);
      refresh();
    },
    [refresh],
  );

  return (
    <div className="page page-settings">
      <div className="page-head">
        <h1 className="page-title" data-testid="page-title">
          {t("settings.title")}
        </h1>
      </div>
      <section className="panel">
        <h2 className="panel-title">{t("settings.camerasTitle")}</h2>
        {!isAdmin && (
          <p className="muted" data-testid="settings-readonly">
            {t("settings.readOnly")}
          </p>
        )}
        {notice && (
          <p className="notice" role="status" data-testid="settings-notice">
            {notice}
          </p>
        )}
        {cameras.error !== null && (
          <ErrorText lines={[t("error.loadCameras"), ...errorLines(cameras.error, t)]} />
        )}
        {cameras.data === null && cameras.error === null && <p className="muted">{t("app.loading")}</p>}
        {cameras.data !== null && (
          <CameraTable cameras={cameras.data} units={options} canEdit={isAdmin} onChanged={changed} />
        )}
        {isAdmin && unitsError !== null && (
          <ErrorText lines={[t("error.loadUnits"), ...errorLines(unitsError, t)]} />
        )}
        {isAdmin && (
          <CameraAddForm
            units={options}
            onCreated={(camera) => changed(t("camera.created", { name: camera.name }))}
          />
        )}
      </section>
      <section className="panel" data-testid="about">
        <h2 className="panel-title">{t("settings.aboutTitle")}</h2>
        <p>{t("settings.aboutText")}</p>
        <p className="muted" data-testid="about-version">
          {health.data
            ? t("settings.aboutVersion", { version: health.data.version })
            : t("settings.aboutVersionUnknown")}
        </p>
      </section>
      <HealthPanel health={health.data} failed={health.error !== null} />
    </div>
  );
}
