import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useApi } from "../apiContext";
import { ErrorText } from "../components/ErrorText";
import { errorLines } from "../errorMessage";
import type { CameraPose } from "./geoApi";

const FIELDS = ["east", "north", "up", "yaw", "pitch", "hfov", "width", "height", "range_m"] as const;
type Field = (typeof FIELDS)[number];

/** Edit a camera's position, mounting height, orientation and lens by numbers. */
export function PoseEditor({ cameraId, pose, onSaved }: {
  cameraId: string; pose: CameraPose | null; onSaved: () => void;
}) {
  const api = useApi();
  const { t } = useTranslation();
  const [values, setValues] = useState<Record<Field, string>>(
    () => Object.fromEntries(FIELDS.map((f) => [f, ""])) as Record<Field, string>);
  const [ptz, setPtz] = useState<string>("fixed");
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!pose) return;
    setValues(Object.fromEntries(FIELDS.map((f) => [f, String(Math.round(pose[f] * 100) / 100)])) as
      Record<Field, string>);
    setPtz(pose.ptz);
  }, [pose]);
  const save = async () => {
    const body: Record<string, unknown> = { ptz };
    for (const f of FIELDS) body[f] = Number(values[f]);
    try {
      await api.request("PATCH", `/api/geo/cameras/${encodeURIComponent(cameraId)}`, body);
      setError(null);
      onSaved();
    } catch (e) { setError(e); }
  };
  return (
    <div data-testid="pose-editor" className="pose-editor">
      <h2>{t("ar.pose")}</h2>
      {FIELDS.map((f) => (
        <label key={f} className="small">{t(`ar.field.${f}`)}
          <input value={values[f]} size={6}
            onChange={(e) => setValues({ ...values, [f]: e.target.value })} />
        </label>
      ))}
      <select value={ptz} onChange={(e) => setPtz(e.target.value)}>
        {["fixed", "mechanical", "digital"].map((k) => (
          <option key={k} value={k}>{t(`ar.ptz.${k}`)}</option>))}
      </select>
      <button type="button" className="btn btn-sm" onClick={() => void save()}
        data-testid="pose-save">{t("ar.save")}</button>
      {error !== null && <ErrorText lines={errorLines(error, t)} />}
    </div>
  );
}
