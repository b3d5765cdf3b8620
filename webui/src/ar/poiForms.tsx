/** Site-map editors: points of interest (add, edit, delete) and the district origin. */
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useApi } from "../apiContext";
import { ErrorText } from "../components/ErrorText";
import { errorLines } from "../errorMessage";
import type { Origin, Poi } from "./geoApi";
import { asNumber } from "./view";

const KINDS = ["building", "entrance", "road", "other"] as const;

interface PoiDraft {
  name: string;
  name_en: string;
  kind: string;
  east: string;
  north: string;
  height: string;
}

function draftOf(p: Poi): PoiDraft {
  return { name: p.name, name_en: p.name_en, kind: p.kind, east: String(round(p.east)),
    north: String(round(p.north)), height: String(p.height) };
}

const round = (v: number) => Math.round(v * 100) / 100;

/** The form for one POI; numbers are sent as typed so the API's messages say what is wrong. */
function PoiFields({ draft, onChange }: { draft: PoiDraft; onChange: (d: PoiDraft) => void }) {
  const { t } = useTranslation();
  const text = (key: keyof PoiDraft, label: string, size = 6) => (
    <label className="small">{label}
      <input value={draft[key]} size={size} data-testid={`poi-field-${key}`}
        onChange={(e) => onChange({ ...draft, [key]: e.target.value })} />
    </label>
  );
  return (
    <div className="ar-form">
      {text("name", t("ar.poiName"), 14)}
      {text("name_en", t("ar.poiNameEn"), 14)}
      <label className="small">{t("ar.poiKind")}
        <select value={draft.kind} data-testid="poi-field-kind"
          onChange={(e) => onChange({ ...draft, kind: e.target.value })}>
          {KINDS.map((k) => <option key={k} value={k}>{t(`ar.kind.${k}`)}</option>)}
        </select>
      </label>
      {text("east", t("ar.field.east"))}
      {text("north", t("ar.field.north"))}
      {text("height", t("ar.poiHeight"))}
    </div>
  );
}

function body(d: PoiDraft): Record<string, unknown> {
  return { name: d.name.trim(), name_en: d.name_en.trim(), kind: d.kind,
    east: asNumber(d.east), north: asNumber(d.north), height: asNumber(d.height) };
}

/** Add, edit or delete points of interest; `at` is where the user last clicked on the plan
 * (it places a new POI, or moves the one being edited). */
export function PoiEditor({ pois, at, selected, onSelect, onChanged }: {
  pois: Poi[]; at: [number, number] | null; selected: string | null;
  onSelect: (id: string | null) => void; onChanged: () => void;
}) {
  const api = useApi();
  const { t } = useTranslation();
  const empty: PoiDraft = { name: "", name_en: "", kind: "building", east: "", north: "",
    height: "0" };
  const [draft, setDraft] = useState<PoiDraft>(empty);
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const editing = pois.find((p) => p.id === selected) ?? null;

  useEffect(() => {  // a new selection loads its values into the form
    setDraft(editing ? draftOf(editing) : { ...empty });
    setConfirm(false);
    setError(null);
  }, [selected]);
  useEffect(() => {  // a click on the plan places the POI
    if (at) setDraft((d) => ({ ...d, east: String(round(at[0])), north: String(round(at[1])) }));
  }, [at]);

  const save = async () => {
    try {
      if (editing) {
        await api.request("PATCH", `/api/geo/pois/${encodeURIComponent(editing.id)}`, {
          ...body(draft), area_id: editing.area_id });
      } else {
        await api.request("POST", "/api/geo/pois", { id: `poi-${Date.now().toString(36)}`,
          ...body(draft) });
        setDraft({ ...empty });
      }
      setError(null);
      onChanged();
    } catch (e) { setError(e); }
  };
  const remove = async () => {
    if (!editing) return;
    try {
      await api.request("DELETE", `/api/geo/pois/${encodeURIComponent(editing.id)}`);
      setError(null);
      onSelect(null);
      onChanged();
    } catch (e) { setError(e); }
  };
  return (
    <div data-testid="poi-editor">
      <h2>{t("ar.pois")}</h2>
      <ul className="ar-cameras">
        {pois.map((p) => (
          <li key={p.id}>
            <button type="button" data-testid={`poi-edit-${p.id}`}
              className={`btn btn-sm ${p.id === selected ? "btn-primary" : "btn-ghost"}`}
              onClick={() => onSelect(p.id === selected ? null : p.id)}>{p.name}</button>
          </li>
        ))}
      </ul>
      <h3 className="small">{editing ? t("ar.poiEditing", { name: editing.name })
        : t("ar.poiNew")}</h3>
      <p className="muted small">{t("ar.poiClick")}</p>
      <PoiFields draft={draft} onChange={setDraft} />
      <div className="ar-form-actions">
        <button type="button" className="btn btn-sm btn-primary" data-testid="poi-save"
          onClick={() => void save()}>{editing ? t("ar.save") : t("ar.add")}</button>
        {editing && <button type="button" className="btn btn-sm"
          onClick={() => onSelect(null)}>{t("ar.cancel")}</button>}
        {editing && !confirm && <button type="button" className="btn btn-sm btn-ghost"
          data-testid="poi-remove" onClick={() => setConfirm(true)}>{t("ar.remove")}</button>}
        {editing && confirm && <button type="button" className="btn btn-sm btn-danger"
          data-testid="poi-remove-confirm" onClick={() => void remove()}>
          {t("ar.removeConfirm", { name: editing.name })}</button>}
      </div>
      {error !== null && <ErrorText lines={errorLines(error, t)} testId="poi-error" />}
    </div>
  );
}

/** The district origin: the point the local east/north/up metres are measured from. */
export function OriginEditor({ origin, onChanged }: { origin: Origin; onChanged: () => void }) {
  const api = useApi();
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState({ name: "", lat: "", lon: "", alt: "" });
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (open) return;  // keep what the user is typing through the map's refreshes
    setValues({ name: origin.name, lat: String(origin.lat), lon: String(origin.lon),
      alt: String(origin.alt ?? 0) });
  }, [origin, open]);
  const save = async () => {
    try {
      await api.request("PATCH", "/api/geo/origin", { name: values.name.trim(),
        lat: asNumber(values.lat), lon: asNumber(values.lon),
        alt: asNumber(values.alt) });
      setError(null);
      setOpen(false);
      onChanged();
    } catch (e) { setError(e); }
  };
  if (!open) {
    return (
      <button type="button" className="btn btn-sm btn-ghost" data-testid="origin-edit"
        onClick={() => setOpen(true)}>{t("ar.originEdit")}</button>
    );
  }
  const field = (key: keyof typeof values, label: string) => (
    <label className="small">{label}
      <input value={values[key]} size={10} data-testid={`origin-field-${key}`}
        onChange={(e) => setValues({ ...values, [key]: e.target.value })} />
    </label>
  );
  return (
    <div data-testid="origin-editor" className="panel ar-form">
      <p className="muted small">{t("ar.originHint")}</p>
      {field("name", t("ar.poiName"))}
      {field("lat", t("ar.lat"))}
      {field("lon", t("ar.lon"))}
      {field("alt", t("ar.alt"))}
      <div className="ar-form-actions">
        <button type="button" className="btn btn-sm btn-primary" data-testid="origin-save"
          onClick={() => void save()}>{t("ar.save")}</button>
        <button type="button" className="btn btn-sm" onClick={() => { setOpen(false);
          setError(null); }}>{t("ar.cancel")}</button>
      </div>
      {error !== null && <ErrorText lines={errorLines(error, t)} testId="origin-error" />}
    </div>
  );
}
