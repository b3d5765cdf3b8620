import { useCallback, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router-dom";
import { useApi } from "../apiContext";
import { BoardLayer } from "../board/BoardLayer";
import { ErrorText } from "../components/ErrorText";
import { DanmakuControls } from "../danmaku/DanmakuControls";
import { DanmakuStage } from "../danmaku/DanmakuOverlay";
import { MarkerList } from "../danmaku/MarkerList";
import { useDanmaku } from "../danmaku/useDanmaku";
import { StatusBadge } from "../components/StatusBadge";
import { errorLines } from "../errorMessage";
import { DEFAULT_LAYERS, type Layers } from "../live/draw";
import { LivePlayer, type PlayerStats } from "../live/LivePlayer";
import { LIVE_MARKER_WINDOW_S, useLiveClock } from "../live/useLiveClock";
import { usePolling } from "../usePolling";

export const CAMERA_POLL_MS = 3000;
/** Playout delay in exact-sync mode: time for detection results to reach the browser. */
export const SYNC_DELAY_MS = 1000;
const LAYER_KEYS: (keyof Layers)[] = ["boxes", "zones", "heatmap", "counts"];

function StatsPanel({ stats, cameraStatus }: { stats: PlayerStats | null; cameraStatus: string }) {
  const { t } = useTranslation();
  const none = t("live.values.none");
  const rows: [string, string, string][] = [
    ["fps", t("live.stats.fps"), stats ? t("live.values.fps", { fps: stats.fps.toFixed(1) }) : none],
    ["latency", t("live.stats.latency"), stats?.latencyMs !== null && stats?.latencyMs !== undefined
      ? t("live.values.latency", { ms: Math.round(stats.latencyMs) }) : none],
    ["viewers", t("live.stats.viewers"), stats?.viewers !== null && stats?.viewers !== undefined
      ? String(stats.viewers) : none],
    ["camera", t("live.stats.camera"), t(`status.${stats?.cameraStatus ?? cameraStatus}`, {
      defaultValue: stats?.cameraStatus ?? cameraStatus })],
    ["transport", t("live.stats.transport"), stats ? t(`live.transport.${stats.transport}`) : none],
    ["mode", t("live.stats.mode"), stats?.mode ? t(`live.mode.${stats.mode}`,
      { defaultValue: stats.mode }) : none],
    ["exact", t("live.stats.exact"), stats ? String(stats.exactOverlays) : none],
    ["reconnects", t("live.stats.reconnects"), stats ? String(stats.reconnects) : none],
  ];
  return (
    <dl className="stat-grid live-stats" data-testid="live-stats">
      {rows.map(([key, label, value]) => (
        <div className="stat" key={key}>
          <dt>{label}</dt>
          <dd data-testid={`live-stat-${key}`}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function LivePage() {
  const api = useApi();
  const { t } = useTranslation();
  const { cameraId = "" } = useParams();
  const fetchCamera = useCallback((signal: AbortSignal) => api.camera(cameraId, signal),
    [api, cameraId]);
  const { data: camera, error } = usePolling(fetchCamera, CAMERA_POLL_MS);
  const [layers, setLayers] = useState<Layers>(DEFAULT_LAYERS);
  const [sync, setSync] = useState(false);
  const [stats, setStats] = useState<PlayerStats | null>(null);
  const [markerWindow] = useState(() => ({ since: Date.now() / 1000 - LIVE_MARKER_WINDOW_S }));
  const danmaku = useDanmaku(cameraId, markerWindow);
  const liveClock = useLiveClock(stats);

  return (
    <div className="page page-live">
      <div className="page-head">
        <Link to="/wall" className="btn btn-sm btn-ghost" data-testid="live-back">
          {t("live.back")}
        </Link>
        <h1 className="page-title" data-testid="page-title">
          {camera ? camera.name : t("live.title")}
        </h1>
        {camera && <StatusBadge status={camera.status} />}
        {camera && <span className="muted">{camera.unit_name}</span>}
        {camera && (
          <Link to={`/playback/${encodeURIComponent(camera.id)}`} className="btn btn-sm"
            data-testid="live-playback">{t("danmaku.playback")}</Link>
        )}
      </div>
      {error !== null && camera === null && (
        <ErrorText lines={[t("live.notFound"), ...errorLines(error, t)]} testId="live-error" />
      )}
      {camera && (
        <div className="live-layout">
          <div className="live-main">
            <DanmakuStage markers={danmaku.feed.markers} filter={danmaku.filter}
              enabled={danmaku.enabled} clock={liveClock}
              onPost={danmaku.post}>
              <LivePlayer camera={camera} layers={layers} syncDelayMs={sync ? SYNC_DELAY_MS : null}
                onStats={setStats} />
            </DanmakuStage>
            <BoardLayer cameraId={camera.id} />
          </div>
          <aside className="panel live-side">
            <h2 className="panel-subtitle">{t("live.stats.title")}</h2>
            <StatsPanel stats={stats} cameraStatus={camera.status} />
            <h2 className="panel-subtitle">{t("live.layers.title")}</h2>
            <div className="live-layers">
              {LAYER_KEYS.map((key) => (
                <label key={key} className="field-check">
                  <input type="checkbox" data-testid={`layer-${key}`} checked={layers[key]}
                    onChange={(e) => setLayers({ ...layers, [key]: e.target.checked })} />
                  {t(`live.layers.${key}`)}
                </label>
              ))}
              <label className="field-check">
                <input type="checkbox" data-testid="live-sync" checked={sync}
                  onChange={(e) => setSync(e.target.checked)} />
                {t("live.sync", { ms: SYNC_DELAY_MS })}
              </label>
            </div>
            <h2 className="panel-subtitle">{t("danmaku.title")}</h2>
            <DanmakuControls enabled={danmaku.enabled} onEnabled={danmaku.setEnabled}
              filter={danmaku.filter} onFilter={danmaku.setFilter} markers={danmaku.feed.markers} />
            <span className="muted small" data-testid="danmaku-feed"
              data-status={danmaku.feed.status}>{t(`danmaku.feed.${danmaku.feed.status}`)}</span>
            <MarkerList api={danmaku.api} markers={danmaku.feed.markers}
              onChanged={danmaku.feed.apply} onDeleted={danmaku.feed.forget} limit={15} />
          </aside>
        </div>
      )}
    </div>
  );
}
