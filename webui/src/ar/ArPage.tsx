import { useCallback, useEffect, useMemo, useState, type MouseEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router-dom";
import { useApi } from "../apiContext";
import { ErrorText } from "../components/ErrorText";
import { errorLines } from "../errorMessage";
import { DEFAULT_LAYERS } from "../live/draw";
import { LivePlayer } from "../live/LivePlayer";
import type { Camera } from "../types";
import "./ar.css";
import { GeoApi, type Covering, type Label, type Labels, type PtzState } from "./geoApi";
import { cropTransform, stepPtz } from "./view";

const NO_LAYERS = { ...DEFAULT_LAYERS, boxes: false, zones: false, heatmap: false, counts: false };
const MOVES = ["left", "right", "up", "down", "in", "out"] as const;
const LIVE_PTZ_MS = 1000;  // how often labels are re-read while they follow the camera's PTZ

interface Finding {
  title: string;
  where: string | null;
  cameras: Covering[];
}

/** AR video retrieval: geo labels over a high-point camera's live video; click to call up. */
export function ArPage() {
  const api = useApi();
  const geo = useMemo(() => new GeoApi(api), [api]);
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const { cameraId = "" } = useParams();
  const [camera, setCamera] = useState<Camera | null>(null);
  const [labels, setLabels] = useState<Labels | null>(null);
  const [ptz, setPtz] = useState<PtzState | null>(null);
  const [finding, setFinding] = useState<Finding | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const follow = labels?.live_ptz === true && ptz === null;

  useEffect(() => {
    const ctl = new AbortController();
    api.camera(cameraId, ctl.signal).then(setCamera, (e: unknown) => {
      if (!ctl.signal.aborted) setError(e);
    });
    return () => ctl.abort();
  }, [api, cameraId]);

  useEffect(() => {
    const ctl = new AbortController();
    geo.labels(cameraId, ptz, ctl.signal).then((l) => {
      setLabels(l);
      setError(null);
    }, (e: unknown) => {
      if (!ctl.signal.aborted) setError(e);
    });
    return () => ctl.abort();
  }, [geo, cameraId, ptz, tick]);

  useEffect(() => {  // an ONVIF-polled PTZ moves on its own: the labels follow it
    if (!follow) return;
    const timer = setTimeout(() => setTick((n) => n + 1), LIVE_PTZ_MS);
    return () => clearTimeout(timer);
  }, [follow, labels, error]);

  const callUp = useCallback(async (target: string, id: string) => {
    try {
      const out = await geo.callup(id, cameraId, target);
      navigate(out.live);
    } catch (e) {
      setError(e);
    }
  }, [geo, cameraId, navigate]);

  const onLabel = useCallback(async (label: Label) => {
    if (label.kind === "camera") {
      await callUp(label.key, label.id);
      return;
    }
    try {
      const poi = await api.request("GET", `/api/geo/pois`).then((r) => r.json()) as
        { id: string; east: number; north: number; height: number }[];
      const p = poi.find((x) => x.id === label.id);
      const cams = p ? await geo.coverage(p.east, p.north, Math.min(p.height, 3), cameraId) : [];
      setFinding({ title: label.name, where: null, cameras: cams });
    } catch (e) {
      setError(e);
    }
  }, [api, geo, cameraId, callUp]);

  const onStageClick = useCallback(async (ev: MouseEvent<HTMLDivElement>) => {
    const box = ev.currentTarget.getBoundingClientRect();
    const x = (ev.clientX - box.left) / box.width;
    const y = (ev.clientY - box.top) / box.height;
    try {
      const at = await geo.locate(cameraId, x, y, labels?.ptz === "fixed" ? null : ptz ??
        labels?.ptz_state ?? null);
      setFinding({ title: t("ar.clickedPoint"),
        where: t("ar.position", { east: at.east.toFixed(1), north: at.north.toFixed(1),
          lat: at.lat.toFixed(6), lon: at.lon.toFixed(6) }), cameras: at.cameras });
    } catch (e) {
      setError(e);
    }
  }, [geo, cameraId, labels, ptz, t]);

  const current = ptz ?? labels?.ptz_state ?? null;
  const en = i18n.language.startsWith("en");
  return (
    <div className="page page-ar">
      <div className="page-head">
        <Link to="/map" className="btn btn-sm btn-ghost" data-testid="ar-to-map">{t("ar.toMap")}</Link>
        <h1 className="page-title" data-testid="page-title">
          {t("ar.title")}{camera ? ` · ${camera.name}` : ""}
        </h1>
        <Link to={`/ar/${encodeURIComponent(cameraId)}/calibrate`} className="btn btn-sm"
          data-testid="ar-calibrate">{t("ar.calibrate")}</Link>
      </div>
      {error !== null && <ErrorText lines={errorLines(error, t)} testId="ar-error" />}
      <div className="ar-layout">
        <div className="ar-stage" data-testid="ar-stage">
          <div className="ar-zoom" style={{ transform: cropTransform(labels?.crop ?? null) }}>
            {camera && <LivePlayer camera={camera} layers={NO_LAYERS} />}
          </div>
          <div className="ar-labels" onClick={(ev) => void onStageClick(ev)}
            data-testid="ar-labels">
            {labels?.labels.filter((l) => l.shown).map((l) => (
              <button key={l.key} type="button" className={`ar-label ar-label-${l.kind}`}
                style={{ left: `${l.x * 100}%`, top: `${l.y * 100}%` }}
                data-testid={`ar-label-${l.kind === "camera" ? "camera" : "poi"}-${l.id}`}
                title={t("ar.distance", { m: l.distance_m })}
                onClick={(ev) => { ev.stopPropagation(); void onLabel(l); }}>
                {l.kind === "camera" ? "◉ " : ""}{en && l.name_en ? l.name_en : l.name}
              </button>
            ))}
          </div>
        </div>
        <aside className="panel ar-side">
          {labels && labels.ptz !== "fixed" && current && (
            <div className="ar-ptz" data-testid="ar-ptz">
              <h2>{t(`ar.ptz.${labels.ptz}`)}</h2>
              <div className="ar-ptz-buttons">
                {MOVES.map((m) => (
                  <button key={m} type="button" className="btn btn-sm" data-testid={`ar-ptz-${m}`}
                    onClick={() => setPtz(stepPtz(labels.ptz, current, m))}>
                    {t(`ar.move.${m}`)}
                  </button>
                ))}
              </div>
              {labels.live_ptz && (ptz === null
                ? <p className="small" data-testid="ar-ptz-live">{t("ar.onvif.following")}</p>
                : <button type="button" className="btn btn-sm" data-testid="ar-ptz-follow"
                  onClick={() => setPtz(null)}>{t("ar.onvif.follow")}</button>)}
              <p className="muted small" data-testid="ar-ptz-state">
                {t("ar.ptzState", { pan: current.pan.toFixed(2), tilt: current.tilt.toFixed(2),
                  zoom: current.zoom.toFixed(1) })}
              </p>
            </div>
          )}
          <p className="muted small">{t("ar.hint")}</p>
          {finding && (
            <div data-testid="ar-finding">
              <h2>{finding.title}</h2>
              {finding.where && <p className="small" data-testid="ar-where">{finding.where}</p>}
              {finding.cameras.length === 0 && <p className="muted">{t("ar.noCamera")}</p>}
              <ol className="ar-cameras">
                {finding.cameras.map((c) => (
                  <li key={c.camera_id}>
                    <button type="button" className="btn btn-sm" data-testid={`ar-callup-${c.camera_id}`}
                      onClick={() => void callUp(finding.title, c.camera_id)}>
                      {c.name}
                    </button>
                    <span className="muted small">
                      {t("ar.seeing", { m: c.distance_m, deg: c.off_axis_deg })}
                    </span>
                  </li>
                ))}
              </ol>
            </div>
          )}
        </aside>
      </div>
    </div>
  );
}
