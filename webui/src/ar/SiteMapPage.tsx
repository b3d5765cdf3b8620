import { useCallback, useMemo, useState, type MouseEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router-dom";
import { useApi } from "../apiContext";
import { ErrorText } from "../components/ErrorText";
import { errorLines } from "../errorMessage";
import { usePolling } from "../usePolling";
import "./ar.css";
import { OriginEditor, PoiEditor } from "./poiForms";
import { FlowApi, type FlowArea } from "../flow/flowApi";
import { GeoApi } from "./geoApi";
import { nearCluster, planBounds } from "./view";

const MAP_POLL_MS = 10_000;

/** The district plan (SVG, no map tiles): cameras with their field-of-view cones, POIs. */
export function SiteMapPage() {
  const api = useApi();
  const geo = useMemo(() => new GeoApi(api), [api]);
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const fetchMap = useCallback((signal: AbortSignal) => geo.map(signal), [geo]);
  const { data: site, error, refresh } = usePolling(fetchMap, MAP_POLL_MS);
  const flow = useMemo(() => new FlowApi(api), [api]);
  const fetchAreas = useCallback((signal: AbortSignal) => flow.areas(signal), [flow]);
  const { data: areas } = usePolling<FlowArea[]>(fetchAreas, MAP_POLL_MS);
  const count = (areaId: string | null) => areas?.find((a) => a.id === areaId) ?? null;
  const [at, setAt] = useState<[number, number] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const onPlan = (ev: MouseEvent<SVGSVGElement>) => {
    const svg = ev.currentTarget;
    const m = svg.getScreenCTM();
    if (!m) return;
    const pt = svg.createSVGPoint();
    pt.x = ev.clientX;
    pt.y = ev.clientY;
    const p = pt.matrixTransform(m.inverse());
    setAt([p.x, -p.y]);
  };
  const en = i18n.language.startsWith("en");

  const open = useCallback(async (id: string) => {
    const out = await geo.callup(id, null, "site map");
    navigate(out.live);
  }, [geo, navigate]);

  const points: [number, number][] = site
    ? [...site.cameras.flatMap((c) => [[c.east, c.north] as [number, number], ...c.fov]),
      ...site.pois.map((p) => [p.east, p.north] as [number, number])]
    : [];
  const [close, setClose] = useState(false);
  const b = planBounds(close ? nearCluster(points, 80) : points, close ? 8 : 20);
  const unit = Math.max(b.width, b.height) / 150;
  return (
    <div className="page page-map">
      <div className="page-head">
        <h1 className="page-title" data-testid="page-title">{t("ar.mapTitle")}</h1>
        {site && <span className="muted" data-testid="map-origin">
          {t("ar.origin", { name: site.origin.name })}</span>}
        {site && <OriginEditor origin={site.origin} onChanged={refresh} />}
        <button type="button" className="btn btn-sm" data-testid="map-zoom"
          onClick={() => setClose(!close)}>{close ? t("ar.zoomAll") : t("ar.zoomNear")}</button>
      </div>
      {error !== null && site === null && <ErrorText lines={errorLines(error, t)} testId="map-error" />}
      {site && (
        <div className="ar-layout">
          <svg className="site-map" data-testid="site-map" onClick={onPlan}
            viewBox={`${b.minX} ${b.minY} ${b.width} ${b.height}`}>
            {site.cameras.map((c) => (
              <polygon key={`fov-${c.camera_id}`} className="site-fov"
                points={c.fov.map(([e, n]) => `${e},${-n}`).join(" ")} strokeWidth={unit / 4} />
            ))}
            {site.pois.map((p) => (
              <g key={p.id} data-testid={`map-poi-${p.id}`} className="site-poi"
                onClick={(ev) => { ev.stopPropagation(); setAt(null); setSelected(p.id); }}>
                <rect className={`site-poi-${p.kind}`} x={p.east - unit} y={-p.north - unit}
                  width={unit * 2} height={unit * 2} />
                <text x={p.east + unit * 1.5} y={-p.north + unit} fontSize={unit * 3}
                  data-testid={`map-poi-name-${p.id}`}
                  fontWeight={p.id === selected ? "bold" : undefined}>
                  {en && p.name_en ? p.name_en : p.name}
                </text>
                {count(p.area_id)?.count != null && (
                  <text x={p.east + unit * 1.5} y={-p.north + unit * 4.2} fontSize={unit * 2.4}
                    fill="#b3261e" data-testid={`map-count-${p.id}`}>
                    {t("ar.count", { n: count(p.area_id)?.count })}
                    {count(p.area_id)?.simulated ? ` ${t("ar.simulated")}` : ""}
                  </text>
                )}
              </g>
            ))}
            {site.cameras.map((c) => (
              <g key={c.camera_id} className="site-camera" data-testid={`map-camera-${c.camera_id}`}
                onClick={(ev) => { ev.stopPropagation(); void open(c.camera_id); }}>
                <circle cx={c.east} cy={-c.north} r={unit * 1.6} fill="#d9480f" stroke="#fff"
                  strokeWidth={unit / 3} />
                <text x={c.east + unit * 2} y={-c.north - unit} fontSize={unit * 2.6} fill="#d9480f">
                  {c.name}
                </text>
              </g>
            ))}
          </svg>
          <aside className="panel ar-side">
            <h2>{t("ar.cameras")}</h2>
            <ul className="ar-cameras">
              {site.cameras.map((c) => (
                <li key={c.camera_id}>
                  <button type="button" className="btn btn-sm" onClick={() => void open(c.camera_id)}>
                    {c.name}
                  </button>
                  <Link to={`/ar/${encodeURIComponent(c.camera_id)}`} className="small"
                    data-testid={`map-ar-${c.camera_id}`}>{t("ar.openAr")}</Link>
                </li>
              ))}
            </ul>
            {site.unplaced.length > 0 && (
              <p className="muted small">{t("ar.unplaced", { ids: site.unplaced.join(", ") })}</p>
            )}
            <PoiEditor pois={site.pois} at={at} selected={selected}
              onSelect={(id) => { setAt(null); setSelected(id); }} onChanged={refresh} />
          </aside>
        </div>
      )}
    </div>
  );
}
