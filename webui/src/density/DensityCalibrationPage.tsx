import { useEffect, useRef, useState, type ChangeEvent, type MouseEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router-dom";
import { useApi } from "../apiContext";
import { useAuth } from "../authContext";
import { ErrorText } from "../components/ErrorText";
import { errorLines } from "../errorMessage";
import type { Camera } from "../types";
import { blobToFrameData, deleteCalibration, getCalibration, postCalibration } from "./densityApi";
import {
  blocker,
  buildRequest,
  calibrationWorse,
  errorChange,
  formatChange,
  parsePointsFile,
  togglePoint,
  totalPoints,
  type CalFrame,
  type CalibrationState,
} from "./densityState";
import "./density.css";

const MAX_FRAMES = 10;

export function DensityCalibrationPage() {
  const { id = "" } = useParams();
  const api = useApi();
  const { t } = useTranslation();
  const { user } = useAuth();
  const canEdit = user?.role === "admin";
  const [camera, setCamera] = useState<Camera | null>(null);
  const [state, setState] = useState<CalibrationState | null>(null);
  const [frames, setFrames] = useState<CalFrame[]>([]);
  const [current, setCurrent] = useState(0);
  const [grid, setGrid] = useState(2);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string[]>([]);
  const seq = useRef(0);

  useEffect(() => {
    const controller = new AbortController();
    Promise.all([api.camera(id, controller.signal), getCalibration(api, id, controller.signal)])
      .then(([cam, cal]) => {
        setCamera(cam);
        setState(cal);
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setError(errorLines(err, t));
      });
    return () => controller.abort();
  }, [api, id, t]);

  const framesRef = useRef(frames);
  framesRef.current = frames;
  useEffect(() => () => framesRef.current.forEach((f) => URL.revokeObjectURL(f.url)), []);

  const addBlob = async (blob: Blob): Promise<void> => {
    const info = await blobToFrameData(blob);
    seq.current += 1;
    const frame: CalFrame = { id: `f${seq.current}`, url: URL.createObjectURL(blob), points: [], ...info };
    setFrames((fs) => {
      setCurrent(fs.length);
      return [...fs, frame];
    });
  };

  const guard = async (action: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError([]);
    try {
      await action();
    } catch (err) {
      setError(err instanceof Error && !("status" in err) ? [t(`densityCal.fileError.${err.message}`, err.message)] : errorLines(err, t));
    } finally {
      setBusy(false);
    }
  };

  const capture = (): void =>
    void guard(async () => {
      const blob = await api.snapshot(id);
      if (!blob) throw new Error("noFrame");
      await addBlob(blob);
    });

  const uploadImage = (e: ChangeEvent<HTMLInputElement>): void => {
    const file = e.target.files?.[0];
    e.target.value = "";
    if (file) void guard(() => addBlob(file));
  };

  const frame = frames[current] as CalFrame | undefined;
  const setPoints = (fn: (f: CalFrame) => CalFrame["points"]): void =>
    setFrames((fs) => fs.map((f, i) => (i === current ? { ...f, points: fn(f) } : f)));

  const uploadPoints = (e: ChangeEvent<HTMLInputElement>): void => {
    const file = e.target.files?.[0];
    e.target.value = "";
    if (!file || !frame) return;
    void guard(async () => {
      const pts = parsePointsFile(await file.text(), frame.width, frame.height);
      setPoints(() => pts);
    });
  };

  const click = (e: MouseEvent<HTMLDivElement>): void => {
    if (!canEdit) return;
    const r = e.currentTarget.getBoundingClientRect();
    const x = (e.clientX - r.left) / r.width;
    const y = (e.clientY - r.top) / r.height;
    setPoints((f) => togglePoint(f.points, x, y));
  };

  const removeFrame = (): void => {
    if (!frame) return;
    URL.revokeObjectURL(frame.url);
    setFrames((fs) => fs.filter((_, i) => i !== current));
    setCurrent((c) => Math.max(0, c - 1));
  };

  const calibrate = (): void =>
    void guard(async () => setState(await postCalibration(api, id, buildRequest(frames, grid))));

  const reset = (): void =>
    void guard(async () => {
      await deleteCalibration(api, id);
      setState(await getCalibration(api, id));
    });

  const why = blocker(frames);
  const report = state?.report ?? null;
  const change = report ? errorChange(report) : null;

  return (
    <div className="dc-page" data-testid="density-calibration">
      <header className="dc-head">
        <Link to="/settings" className="btn btn-ghost btn-sm">{t("densityCal.back")}</Link>
        <h2>{t("densityCal.title", { name: camera?.name ?? id })}</h2>
      </header>
      <p className="dc-help">{t("densityCal.help")}</p>
      {!canEdit && <p className="dc-note">{t("densityCal.readOnly")}</p>}
      <ErrorText lines={error} />
      <section className="dc-current" data-testid="dc-current">
        <h3>{t("densityCal.current")}</h3>
        {state?.calibrated && report ? (
          <div className="dc-result" data-testid="dc-result">
            <p>
              {t("densityCal.result", {
                before: report.mae_before.toFixed(2),
                after: report.mae_after.toFixed(2),
                frames: report.frames,
                points: report.points,
              })}
              {change !== null && <strong> ({t("densityCal.change", { pct: formatChange(change) })})</strong>}
            </p>
            {calibrationWorse(report) && (
              <p className="dc-warn" role="status" data-testid="dc-worse">{t("densityCal.worse")}</p>
            )}
            <p className="dc-note">{t(report.evaluated_on === "fit" ? "densityCal.evalFit" : "densityCal.evalHeldOut")}</p>
            <table className="dc-table">
              <thead>
                <tr>
                  <th>#</th>
                  <th>{t("densityCal.truth")}</th>
                  <th>{t("densityCal.before")}</th>
                  <th>{t("densityCal.after")}</th>
                </tr>
              </thead>
              <tbody>
                {report.per_frame.map((f, i) => (
                  <tr key={i}>
                    <td>{i + 1}</td>
                    <td>{f.truth}</td>
                    <td>{f.before.toFixed(1)}</td>
                    <td>{f.after.toFixed(1)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {canEdit && (
              <button type="button" className="btn btn-ghost btn-sm" onClick={reset} disabled={busy} data-testid="dc-reset">
                {t("densityCal.reset")}
              </button>
            )}
          </div>
        ) : (
          <p data-testid="dc-none">{t("densityCal.none")}</p>
        )}
      </section>
      {canEdit && (
        <section className="dc-work">
          <div className="dc-toolbar">
            <button type="button" className="btn btn-sm" onClick={capture} disabled={busy || frames.length >= MAX_FRAMES} data-testid="dc-capture">
              {t("densityCal.capture")}
            </button>
            <label className="btn btn-ghost btn-sm">
              {t("densityCal.uploadImage")}
              <input type="file" accept="image/jpeg,image/png" hidden onChange={uploadImage} data-testid="dc-upload-image" />
            </label>
            <label className={`btn btn-ghost btn-sm${frame ? "" : " disabled"}`}>
              {t("densityCal.uploadPoints")}
              <input type="file" accept=".json,.csv,.txt" hidden disabled={!frame} onChange={uploadPoints} data-testid="dc-upload-points" />
            </label>
            <label>
              {t("densityCal.grid")}{" "}
              <select value={grid} onChange={(e) => setGrid(Number(e.target.value))} data-testid="dc-grid">
                {[1, 2, 3].map((g) => (
                  <option key={g} value={g}>{`${g}×${g}`}</option>
                ))}
              </select>
            </label>
            <button type="button" className="btn btn-primary btn-sm" onClick={calibrate} disabled={busy || why !== null} title={why ? t(why) : undefined} data-testid="dc-calibrate">
              {busy ? t("densityCal.working") : t("densityCal.calibrate")}
            </button>
            <span className="dc-note">{t("densityCal.count", { frames: frames.length, points: totalPoints(frames) })}</span>
          </div>
          <div className="dc-thumbs">
            {frames.map((f, i) => (
              <button type="button" key={f.id} className={i === current ? "dc-thumb active" : "dc-thumb"} onClick={() => setCurrent(i)} data-testid="dc-thumb">
                <img src={f.url} alt="" />
                <span>{f.points.length}</span>
              </button>
            ))}
          </div>
          {frame ? (
            <>
              <div className="dc-frame" onClick={click} data-testid="dc-frame">
                <img src={frame.url} alt={t("densityCal.frameAlt")} draggable={false} />
                {frame.points.map(([x, y], i) => (
                  <span key={i} className="dc-dot" style={{ left: `${x * 100}%`, top: `${y * 100}%` }} />
                ))}
              </div>
              <div className="dc-toolbar">
                <button type="button" className="btn btn-ghost btn-sm" onClick={() => setPoints((f) => f.points.slice(0, -1))} disabled={frame.points.length === 0}>
                  {t("densityCal.undo")}
                </button>
                <button type="button" className="btn btn-ghost btn-sm" onClick={() => setPoints(() => [])} disabled={frame.points.length === 0}>
                  {t("densityCal.clear")}
                </button>
                <button type="button" className="btn btn-danger btn-sm" onClick={removeFrame}>
                  {t("densityCal.removeFrame")}
                </button>
              </div>
            </>
          ) : (
            <p className="dc-note">{t("densityCal.needFrame")}</p>
          )}
        </section>
      )}
    </div>
  );
}
