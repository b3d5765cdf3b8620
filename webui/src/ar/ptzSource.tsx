/** The ONVIF PTZ source of a mechanical PTZ camera: where its position is polled, and how it goes. */
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api";
import { useApi } from "../apiContext";
import { ErrorText } from "../components/ErrorText";
import { errorLines } from "../errorMessage";
import { usePolling } from "../usePolling";
import type { PtzSource } from "./geoApi";
import { asNumber } from "./view";

const STATUS_POLL_MS = 2000;
const TEXT = ["url", "profile", "username", "password"] as const;
const NUMBERS = ["interval_s", "pan_min", "pan_max", "tilt_min", "tilt_max", "zoom_max"] as const;
type Key = (typeof TEXT)[number] | (typeof NUMBERS)[number];
const DEFAULTS: Record<Key, string> = { url: "", profile: "", username: "", password: "",
  interval_s: "2", pan_min: "-180", pan_max: "180", tilt_min: "-90", tilt_max: "90",
  zoom_max: "30" };

export function PtzSourceEditor({ cameraId }: { cameraId: string }) {
  const api = useApi();
  const { t } = useTranslation();
  const path = `/api/geo/cameras/${encodeURIComponent(cameraId)}/ptz-source`;
  const fetchSource = useCallback(async (signal: AbortSignal): Promise<PtzSource | null> => {
    try {
      return (await (await api.request("GET", path, undefined, signal)).json()) as PtzSource;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }
  }, [api, path]);
  const { data: source, refresh } = usePolling(fetchSource, STATUS_POLL_MS);
  const [values, setValues] = useState<Record<Key, string>>(DEFAULTS);
  const [enabled, setEnabled] = useState(true);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {  // fill the form once from the stored source; polling only refreshes status
    if (loaded || !source) return;
    {
      setValues({ ...DEFAULTS, ...Object.fromEntries([...TEXT, ...NUMBERS].filter(
        (k) => k !== "password").map((k) => [k, String(source[k as keyof PtzSource])])) });
      setEnabled(source.enabled);
      setLoaded(true);
    }
  }, [source, loaded]);

  const save = async () => {
    const body: Record<string, unknown> = { enabled };
    for (const k of TEXT) body[k] = values[k].trim();
    for (const k of NUMBERS) body[k] = asNumber(values[k]);
    if (!values.password) delete body.password;  // keep the stored one
    try {
      await api.request("PATCH", path, body);
      setError(null);
      setValues((v) => ({ ...v, password: "" }));
      refresh();
    } catch (e) { setError(e); }
  };
  const remove = async () => {
    try { await api.request("DELETE", path); setError(null); setLoaded(false);
      setValues(DEFAULTS); refresh(); } catch (e) { setError(e); }
  };
  const st = source?.status;
  return (
    <div data-testid="ptz-source-editor" className="pose-editor">
      <h2>{t("ar.onvif.title")}</h2>
      <p className="muted small">{t("ar.onvif.hint")}</p>
      {[...TEXT, ...NUMBERS].map((k) => (
        <label key={k} className="small">{t(`ar.onvif.${k}`)}
          <input value={values[k]} size={k === "url" ? 36 : 8} data-testid={`onvif-${k}`}
            type={k === "password" ? "password" : "text"} autoComplete="off"
            placeholder={k === "password" && source?.has_password ? t("ar.onvif.keep") : ""}
            onChange={(e) => setValues({ ...values, [k]: e.target.value })} />
        </label>
      ))}
      <label className="small">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        {t("ar.onvif.enabled")}
      </label>
      <button type="button" className="btn btn-sm" data-testid="onvif-save"
        onClick={() => void save()}>{t("ar.save")}</button>
      {source && <button type="button" className="btn btn-sm btn-ghost"
        onClick={() => void remove()}>{t("ar.remove")}</button>}
      {error !== null && <ErrorText lines={errorLines(error, t)} testId="onvif-error" />}
      {st && (
        <p className={`small ${st.state === "error" ? "error-text" : "muted"}`}
          data-testid="onvif-status" data-state={st.state}>
          {t(`ar.onvif.state.${st.state}`)}
          {st.ptz_state ? ` · ${t("ar.ptzState", { pan: st.ptz_state.pan.toFixed(1),
            tilt: st.ptz_state.tilt.toFixed(1), zoom: st.ptz_state.zoom.toFixed(1) })}` : ""}
          {st.last_error ? ` · ${st.last_error}` : ""}
          {st.backoff_s ? ` · ${t("ar.onvif.retry", { s: st.backoff_s.toFixed(1) })}` : ""}
        </p>
      )}
    </div>
  );
}
