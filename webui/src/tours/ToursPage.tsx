/** 轮巡: patrol tours — ordered cameras with a dwell time; start one, edit, delete. */
import { useCallback, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router-dom";
import { useApi } from "../apiContext";
import { ErrorText } from "../components/ErrorText";
import { dateTimeText } from "../danmaku/timeline";
import { errorLines } from "../errorMessage";
import type { Camera } from "../types";
import { usePolling } from "../usePolling";
import { type Tour, type TourIn, type TourRun, ToursApi } from "./toursApi";
import "./tours.css";

const EMPTY: TourIn = { name: "", camera_ids: [], dwell_s: 30 };

function TourEditor({ cameras, initial, onSave, onCancel }: {
  cameras: Camera[]; initial: TourIn; onSave: (body: TourIn) => Promise<void>; onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [body, setBody] = useState<TourIn>(initial);
  const [pick, setPick] = useState("");
  const [error, setError] = useState<string[]>([]);
  const names = new Map(cameras.map((c) => [c.id, c.name]));
  const move = (i: number, d: number) => {
    const ids = [...body.camera_ids];
    const j = i + d;
    if (j < 0 || j >= ids.length) return;
    [ids[i], ids[j]] = [ids[j], ids[i]];
    setBody({ ...body, camera_ids: ids });
  };
  const save = async () => {
    setError([]);
    if (!body.name.trim()) { setError([t("tours.needName")]); return; }
    if (body.camera_ids.length === 0) { setError([t("tours.needCamera")]); return; }
    try {
      await onSave({ ...body, name: body.name.trim() });
    } catch (err) {
      setError(errorLines(err, t));
    }
  };
  return (
    <form className="panel tour-editor" data-testid="tour-editor"
      onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <label className="field">
        <span className="field-label">{t("tours.name")}</span>
        <input data-testid="tour-name" value={body.name} maxLength={100}
          onChange={(e) => setBody({ ...body, name: e.target.value })} />
      </label>
      <label className="field">
        <span className="field-label">{t("tours.dwell")}</span>
        <input type="number" data-testid="tour-dwell" min={5} max={600} value={body.dwell_s}
          onChange={(e) => setBody({ ...body, dwell_s: Number(e.target.value) || 0 })} />
      </label>
      <div className="field">
        <span className="field-label">{t("tours.cameras")}</span>
        <ol className="tour-cameras" data-testid="tour-cameras">
          {body.camera_ids.map((id, i) => (
            <li key={`${id}-${i}`}>
              <span>{names.get(id) ?? id}</span>
              <button type="button" className="btn btn-sm btn-ghost" aria-label={t("tours.up")}
                onClick={() => move(i, -1)} disabled={i === 0}>↑</button>
              <button type="button" className="btn btn-sm btn-ghost" aria-label={t("tours.down")}
                onClick={() => move(i, 1)} disabled={i === body.camera_ids.length - 1}>↓</button>
              <button type="button" className="btn btn-sm btn-ghost" aria-label={t("tours.removeCamera")}
                onClick={() => setBody({ ...body, camera_ids: body.camera_ids.filter((_, k) => k !== i) })}>✕</button>
            </li>
          ))}
        </ol>
        <div className="tour-pick">
          <select data-testid="tour-camera-pick" value={pick} onChange={(e) => setPick(e.target.value)}>
            <option value="">{t("tours.pickCamera")}</option>
            {cameras.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
          </select>
          <button type="button" className="btn btn-sm" data-testid="tour-camera-add" disabled={!pick}
            onClick={() => { setBody({ ...body, camera_ids: [...body.camera_ids, pick] }); setPick(""); }}>
            {t("tours.addCamera")}</button>
        </div>
      </div>
      <ErrorText lines={error} testId="tour-error" />
      <div className="tour-actions">
        <button type="submit" className="btn btn-primary" data-testid="tour-save">{t("tours.save")}</button>
        <button type="button" className="btn btn-ghost" onClick={onCancel}>{t("tours.cancel")}</button>
      </div>
    </form>
  );
}

function PastRuns({ api, tour }: { api: ToursApi; tour: Tour }) {
  const { t } = useTranslation();
  const [runs, setRuns] = useState<TourRun[] | null>(null);
  if (runs === null) {
    return <button type="button" className="btn btn-sm btn-ghost" data-testid="tour-history"
      onClick={() => void api.runs(tour.id).then(setRuns, () => setRuns([]))}>{t("tours.history")}</button>;
  }
  if (runs.length === 0) return <span className="muted small">{t("tours.noRuns")}</span>;
  return (
    <span className="tour-runs">
      {runs.slice(0, 5).map((r) => (
        <Link key={r.id} to={`/tours/runs/${r.id}`} className="small">
          {dateTimeText(r.started_at)}{r.finished_at ? "" : ` (${t("tours.running")})`}
        </Link>
      ))}
    </span>
  );
}

export function ToursPage() {
  const client = useApi();
  const { t } = useTranslation();
  const navigate = useNavigate();
  const api = useMemo(() => new ToursApi(client), [client]);
  const fetchTours = useCallback((s: AbortSignal) => api.list(s), [api]);
  const tours = usePolling(fetchTours, 30000);
  const fetchCameras = useCallback((s: AbortSignal) => client.cameras(s), [client]);
  const cameras = usePolling(fetchCameras, 60000);
  const [editing, setEditing] = useState<{ id: number | null; body: TourIn } | null>(null);
  const [error, setError] = useState<string[]>([]);
  const names = new Map((cameras.data ?? []).map((c) => [c.id, c.name]));

  const save = async (body: TourIn) => {
    if (editing?.id) await api.update(editing.id, body);
    else await api.create(body);
    setEditing(null);
    tours.refresh();
  };
  const act = async (work: () => Promise<void>) => {
    setError([]);
    try { await work(); } catch (err) { setError(errorLines(err, t)); }
  };

  return (
    <div className="page page-tours">
      <div className="page-head">
        <h1 className="page-title" data-testid="page-title">{t("tours.title")}</h1>
        <button type="button" className="btn btn-primary" data-testid="tour-new"
          onClick={() => setEditing({ id: null, body: EMPTY })}>{t("tours.new")}</button>
      </div>
      <p className="muted">{t("tours.intro")}</p>
      {editing && (
        <TourEditor key={editing.id ?? "new"} cameras={cameras.data ?? []} initial={editing.body}
          onSave={save} onCancel={() => setEditing(null)} />
      )}
      <ErrorText lines={error.length ? error : tours.error ? errorLines(tours.error, t) : []}
        testId="tours-error" />
      {tours.data?.length === 0 && <p className="muted" data-testid="tours-empty">{t("tours.empty")}</p>}
      <ul className="tour-list" data-testid="tour-list">
        {(tours.data ?? []).map((tour) => (
          <li key={tour.id} className="panel tour-row" data-testid="tour-row" data-tour-id={tour.id}>
            <div className="tour-row-main">
              <strong>{tour.name}</strong>
              <span className="muted small">
                {t("tours.summary", { n: tour.camera_ids.length, s: tour.dwell_s })} ·{" "}
                {tour.camera_ids.map((id) => names.get(id) ?? id).join(" → ")}
              </span>
            </div>
            <div className="tour-actions">
              <button type="button" className="btn btn-sm btn-primary" data-testid="tour-start"
                onClick={() => void act(async () => { const run = await api.start(tour.id);
                  navigate(`/tours/runs/${run.id}`); })}>{t("tours.start")}</button>
              <button type="button" className="btn btn-sm" data-testid="tour-edit"
                onClick={() => setEditing({ id: tour.id, body: { name: tour.name,
                  camera_ids: tour.camera_ids, dwell_s: tour.dwell_s } })}>{t("tours.edit")}</button>
              <button type="button" className="btn btn-sm btn-danger" data-testid="tour-delete"
                onClick={() => { if (window.confirm(t("tours.confirmDelete", { name: tour.name })))
                  void act(async () => { await api.remove(tour.id); tours.refresh(); }); }}>
                {t("tours.delete")}</button>
              <PastRuns api={api} tour={tour} />
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
