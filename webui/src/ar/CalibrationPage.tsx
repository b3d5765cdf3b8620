import { useEffect, useMemo, useState, type MouseEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router-dom";
import { useApi } from "../apiContext";
import { ErrorText } from "../components/ErrorText";
import { errorLines } from "../errorMessage";
import "./ar.css";
import { PoseEditor } from "./editors";
import { PtzSourceEditor } from "./ptzSource";
import { GeoApi, type CalibrationResult, type CameraPose, type Pair, type SiteMap } from "./geoApi";
import { planBounds } from "./view";

/** Calibration: click a feature on the video, then the same place on the plan; fit; save. */
export function CalibrationPage() {
  const api = useApi();
  const geo = useMemo(() => new GeoApi(api), [api]);
  const { t } = useTranslation();
  const { cameraId = "" } = useParams();
  const [image, setImage] = useState<string | null>(null);
  const [size, setSize] = useState<[number, number]>([1920, 1080]);
  const [site, setSite] = useState<SiteMap | null>(null);
  const [pairs, setPairs] = useState<Pair[]>([]);
  const [pending, setPending] = useState<[number, number] | null>(null);
  const [result, setResult] = useState<CalibrationResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [pose, setPose] = useState<CameraPose | null>(null);
  const [poseGen, setPoseGen] = useState(0);

  useEffect(() => {
    const ctl = new AbortController();
    let url: string | null = null;
    api.snapshot(cameraId, ctl.signal).then((blob) => {
      if (blob) { url = URL.createObjectURL(blob); setImage(url); }
    }, (e: unknown) => { if (!ctl.signal.aborted) setError(e); });
    geo.map(ctl.signal).then(setSite, (e: unknown) => { if (!ctl.signal.aborted) setError(e); });
    return () => { ctl.abort(); if (url) URL.revokeObjectURL(url); };
  }, [api, geo, cameraId]);

  useEffect(() => {
    const ctl = new AbortController();
    geo.pose(cameraId, ctl.signal).then((p) => { setPose(p); setSize([p.width, p.height]); },
      () => undefined);  // not placed yet: the editor starts empty
    return () => ctl.abort();
  }, [geo, cameraId, poseGen]);

  const onImage = (ev: MouseEvent<HTMLDivElement>) => {
    const box = ev.currentTarget.getBoundingClientRect();
    setPending([(ev.clientX - box.left) / box.width * size[0],
      (ev.clientY - box.top) / box.height * size[1]]);
  };
  const onMap = (ev: MouseEvent<SVGSVGElement>) => {
    if (!pending) return;
    const svg = ev.currentTarget;
    const pt = svg.createSVGPoint();
    pt.x = ev.clientX; pt.y = ev.clientY;
    const m = svg.getScreenCTM();
    if (!m) return;
    const p = pt.matrixTransform(m.inverse());
    setPairs([...pairs, { u: pending[0], v: pending[1], east: p.x, north: -p.y, up: 0 }]);
    setPending(null);
  };
  const fit = async (save: boolean) => {
    try {
      setResult(await geo.calibrate(cameraId, pairs, size[0], size[1], save));
      if (save) setPoseGen((g) => g + 1);
      setError(null);
    } catch (e) {
      setResult(null);
      setError(e);
    }
  };

  const all: [number, number][] = site ? [...site.cameras.map((c) => [c.east, c.north] as
    [number, number]), ...site.pois.map((p) => [p.east, p.north] as [number, number])] : [];
  // Placed cameras: zoom the plan onto what this camera sees, to click map points precisely.
  const near = pose ? all.filter(([e, n]) => Math.hypot(e - pose.east, n - pose.north) <
    pose.range_m) : [];
  const b = planBounds(pose ? [...near, [pose.east, pose.north], ...pose.fov] : all, 5);
  const unit = Math.max(b.width, b.height) / 150;
  return (
    <div className="page page-calibrate">
      <div className="page-head">
        <Link to={`/ar/${encodeURIComponent(cameraId)}`} className="btn btn-sm btn-ghost">
          {t("ar.back")}</Link>
        <h1 className="page-title" data-testid="page-title">{t("ar.calibTitle")} · {cameraId}</h1>
      </div>
      <p className="muted">{pending ? t("ar.calibMap") : t("ar.calibImage")}</p>
      {error !== null && <ErrorText lines={errorLines(error, t)} testId="calib-error" />}
      <div className="calib-layout">
        <div className="calib-image" onClick={onImage} data-testid="calib-image">
          {image ? <img src={image} alt={cameraId} /> : <p className="muted">{t("app.loading")}</p>}
          {[...pairs.map((p) => [p.u, p.v]), ...(pending ? [pending] : [])].map(([u, v], i) => (
            <span key={i} className="calib-dot"
              style={{ left: `${u / size[0] * 100}%`, top: `${v / size[1] * 100}%` }} />
          ))}
        </div>
        <svg className="site-map" viewBox={`${b.minX} ${b.minY} ${b.width} ${b.height}`}
          onClick={onMap} data-testid="calib-map">
          {site?.pois.map((p) => (
            <text key={p.id} x={p.east} y={-p.north} fontSize={unit * 2.5}>{p.name}</text>))}
          {site?.cameras.map((c) => (
            <circle key={c.camera_id} cx={c.east} cy={-c.north} r={unit} fill="#d9480f" />))}
          {pairs.map((p, i) => (
            <circle key={i} cx={p.east} cy={-p.north} r={unit} fill="#ff3d00" />))}
        </svg>
      </div>
      <div className="page-head">
        <span data-testid="calib-count">{t("ar.pairs", { n: pairs.length })}</span>
        <button type="button" className="btn btn-sm" onClick={() => setPairs([])}>{t("ar.clear")}</button>
        <button type="button" className="btn btn-sm" data-testid="calib-fit"
          onClick={() => void fit(false)}>{t("ar.fit")}</button>
        <button type="button" className="btn btn-sm btn-primary" data-testid="calib-save"
          disabled={result === null} onClick={() => void fit(true)}>{t("ar.save")}</button>
        {result && (
          <span data-testid="calib-result">
            {t("ar.errors", { h: result.homography_error_px.toFixed(1),
              p: result.pose_error_px.toFixed(1), n: result.homography_inliers })}
            {result.saved ? ` · ${t("ar.saved")}` : ""}
          </span>
        )}
      </div>
      <PoseEditor cameraId={cameraId} pose={pose} onSaved={() => setPoseGen((g) => g + 1)} />
      {pose?.ptz === "mechanical" && <PtzSourceEditor cameraId={cameraId} />}
    </div>
  );
}
