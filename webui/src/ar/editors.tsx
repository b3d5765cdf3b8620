import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useApi } from "../apiContext";
import { ErrorText } from "../components/ErrorText";
import { errorLines } from "../errorMessage";
import type { CameraPose, Poi } from "./geoApi";

const KINDS = ["building", "entrance", "road", "other"] as const;

/** Add or remove a point of interest; `at` is where the user last clicked on the plan. */
export function PoiEditor({ pois, at, onChanged }: {
  pois: Poi[]; at: [number, number] | null; onChanged: () => void;
}) {
  const api = useApi();
  const { t } = useTranslation();
  const [name, setName] = useState("");
  const [kind, setKind] = useState<string>("building");
  const [height, setHeight] = useState("0");
  const [error, setError] = useState<unknown>(null);
  const add = async () => {
    if (!at) return;
    const id = `poi-${Date.now().toString(36)}`;
    try {
      await api.request("POST", "/api/geo/pois", { id, name, kind, east: at[0], north: at[1],
        height: Number(height) || 0 });
      setName("");
      setError(null);
      onChanged();
    } catch (e) { setError(e); }
  };
  const remove = async (id: string) => {
    try { await api.request("DELETE", `/api/geo/pois/${encodeURIComponent(id)}`); onChanged(); }
    catch (e) { setError(e); }
  };
  return (
    <div data-testid="poi-editor">
      <h2>{t("ar.pois")}</h2>
      <p className="muted small">{at ? t("ar.poiAt", { e: at[0].toFixed(1), n: at[1].toFixed(1) })
        : t("ar.poiClick")}</p>
      <input value={name} onChange={(e) => setName(e.target.value)} placeholder={t("ar.poiName")}
        data-testid="poi-name" />
      <select value={kind} onChange={(e) => setKind(e.target.value)}>
        {KINDS.map((k) => <option key={k} value={k}>{t(`ar.kind.${k}`)}</option>)}
      </select>
      <input value={height} onChange={(e) => setHeight(e.target.value)} size={4}
        title={t("ar.poiHeight")} />
      <button type="button" className="btn btn-sm" disabled={!at || !name}
        onClick={() => void add()} data-testid="poi-add">{t("ar.add")}</button>
      {error !== null && <ErrorText lines={errorLines(error, t)} />}
      <ul className="ar-cameras">
        {pois.map((p) => (
          <li key={p.id}>{p.name}
            <button type="button" className="btn btn-sm btn-ghost"
              onClick={() => void remove(p.id)}>{t("ar.remove")}</button>
          </li>
        ))}
      </ul>
    </div>
  );
}

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
