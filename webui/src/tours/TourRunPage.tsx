/** A running patrol tour: cycles through its cameras; mark each 正常 / 有问题; finish → report. */
import { useCallback, useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router-dom";
import { useApi } from "../apiContext";
import { ErrorText } from "../components/ErrorText";
import { dateTimeText } from "../danmaku/timeline";
import { clockText } from "../districtTime";
import { markerColor, TIER_COLORS, TIERS } from "../danmaku/types";
import { errorLines } from "../errorMessage";
import { DEFAULT_LAYERS } from "../live/draw";
import { DanmakuStage } from "../danmaku/DanmakuOverlay";
import { useDanmaku } from "../danmaku/useDanmaku";
import { LivePlayer, type PlayerStats } from "../live/LivePlayer";
import { LIVE_MARKER_WINDOW_S, useLiveClock } from "../live/useLiveClock";
import type { Camera } from "../types";
import { usePolling } from "../usePolling";
import { type CycleState, goTo, nextPending, startCycle, tick, togglePause } from "./cycle";
import { type TourRun, type TourRunItem, ToursApi } from "./toursApi";
import "./tours.css";

const TICK_MS = 250;

/** The tour's current camera, live, with its danmaku (markers of the last ten minutes and
 * what arrives, click or M to add one) as on the single-camera page. */
function TourLive({ camera }: { camera: Camera }) {
  const [stats, setStats] = useState<PlayerStats | null>(null);
  const [markerWindow] = useState(() => ({ since: Date.now() / 1000 - LIVE_MARKER_WINDOW_S }));
  const danmaku = useDanmaku(camera.id, markerWindow);
  const clock = useLiveClock(stats);
  return (
    <DanmakuStage markers={danmaku.feed.markers} filter={danmaku.filter}
      enabled={danmaku.enabled} clock={clock} onPost={danmaku.post}>
      <LivePlayer camera={camera} layers={DEFAULT_LAYERS} onStats={setStats} />
    </DanmakuStage>
  );
}

function Summary({ item }: { item: TourRunItem }) {
  const { t } = useTranslation();
  return (
    <div className="tour-summary" data-testid="tour-summary">
      <p>{t("tours.markersSince", { n: item.summary.markers })}</p>
      <div className="tour-tiers">
        {TIERS.map((n) => (
          <span key={n} className="tour-tier" style={{ borderColor: TIER_COLORS[n] }}>
            {t(`danmaku.tier.${n}`)} {item.summary.by_tier[String(n)] ?? 0}
          </span>
        ))}
      </div>
      <ul className="tour-latest">
        {item.summary.latest.map((m) => (
          <li key={m.id} data-testid="tour-latest">
            <span style={{ color: markerColor(m) }}>{clockText(m.ts)}</span>{" "}
            <span className="muted">{m.author ? m.author.display_name || m.author.username : t("danmaku.ai")}</span>{" "}
            <span>{m.text}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Report({ run }: { run: TourRun }) {
  const { t } = useTranslation();
  const issues = run.items.filter((i) => i.status === "issue").length;
  return (
    <div className="panel tour-report" data-testid="tour-report">
      <h2>{t("tours.report")}</h2>
      <p className="muted">
        {t("tours.reportMeta", { by: run.started_by, start: dateTimeText(run.started_at),
          end: dateTimeText(run.finished_at) })}
      </p>
      <p data-testid="tour-report-counts">{t("tours.reportCounts", { n: run.items.length, issues })}</p>
      <table className="tour-table">
        <thead><tr><th>{t("tours.camera")}</th><th>{t("tours.status")}</th><th>{t("tours.note")}</th>
          <th>{t("tours.markers")}</th><th>{t("tours.checkedAt")}</th></tr></thead>
        <tbody>
          {run.items.map((i) => (
            <tr key={i.camera_id} data-testid="tour-report-row" data-status={i.status}>
              <td><Link to={`/playback/${encodeURIComponent(i.camera_id)}`}>{i.camera_name}</Link></td>
              <td className={`tour-status-${i.status}`}>{t(`tours.statusName.${i.status}`)}</td>
              <td>{i.note}</td>
              <td>{i.summary.markers}</td>
              <td>{dateTimeText(i.checked_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Link to="/tours" className="btn btn-sm">{t("tours.backToList")}</Link>
    </div>
  );
}

export function TourRunPage() {
  const client = useApi();
  const { t } = useTranslation();
  const { runId = "" } = useParams();
  const api = useMemo(() => new ToursApi(client), [client]);
  const [run, setRun] = useState<TourRun | null>(null);
  const [dwell, setDwell] = useState(30);
  const [cycle, setCycle] = useState<CycleState>(() => startCycle(30));
  const [note, setNote] = useState("");
  const [error, setError] = useState<unknown>(null);
  const fetchCameras = useCallback((s: AbortSignal) => client.cameras(s), [client]);
  const cameras = usePolling(fetchCameras, 30000);

  useEffect(() => {
    const controller = new AbortController();
    api.run(Number(runId), controller.signal).then(async (r) => {
      setRun(r);
      const tour = (await api.list(controller.signal)).find((x) => x.id === r.tour_id);
      if (tour) { setDwell(tour.dwell_s); setCycle(startCycle(tour.dwell_s)); }
    }).catch((err: unknown) => { if (!controller.signal.aborted) setError(err); });
    return () => controller.abort();
  }, [api, runId]);

  const count = run?.items.length ?? 0;
  const finished = Boolean(run?.finished_at);
  useEffect(() => {
    if (finished || count === 0) return undefined;
    const id = setInterval(() => setCycle((s) => tick(s, TICK_MS, dwell, count)), TICK_MS);
    return () => clearInterval(id);
  }, [finished, count, dwell]);

  if (error !== null && !run) return <ErrorText lines={errorLines(error, t)} testId="tour-run-error" />;
  if (!run) return <p className="muted">{t("app.loading")}</p>;
  if (run.finished_at) return <div className="page"><Report run={run} /></div>;

  const item = run.items[Math.min(cycle.index, run.items.length - 1)];
  const camera: Camera | undefined = cameras.data?.find((c) => c.id === item.camera_id);
  const checked = run.items.filter((i) => i.status !== "pending").length;
  const act = async (work: () => Promise<void>) => {
    setError(null);
    try { await work(); } catch (err) { setError(err); }
  };
  const mark = (status: "normal" | "issue") => act(async () => {
    const next = await api.mark(run.id, item.camera_id, status, note);
    setRun(next);
    setNote("");
    const n = nextPending(next.items.map((i) => i.status), cycle.index);
    if (n !== null) setCycle((s) => goTo(s, n, dwell, next.items.length));
  });

  return (
    <div className="page page-tour-run" data-testid="tour-run" data-index={cycle.index}
      data-camera-id={item.camera_id}>
      <div className="page-head">
        <Link to="/tours" className="btn btn-sm btn-ghost">{t("tours.backToList")}</Link>
        <h1 className="page-title" data-testid="page-title">{run.tour_name}</h1>
        <span className="muted" data-testid="tour-progress">
          {t("tours.progress", { done: checked, n: run.items.length })}</span>
      </div>
      <div className="live-layout">
        <div className="live-main">
          {camera ? (
            <TourLive key={camera.id} camera={camera} />
          ) : <div className="live-player" />}
          <div className="tour-bar">
            <strong data-testid="tour-camera-name">{item.camera_name}</strong>
            <span className="muted small">{cycle.index + 1} / {run.items.length}</span>
            <span className="muted small" data-testid="tour-left">
              {cycle.paused ? t("tours.paused") : t("tours.left", { s: Math.ceil(cycle.leftMs / 1000) })}</span>
            <button type="button" className="btn btn-sm btn-ghost" data-testid="tour-prev"
              onClick={() => setCycle((s) => goTo(s, s.index - 1, dwell, count))}>{t("tours.prev")}</button>
            <button type="button" className="btn btn-sm" data-testid="tour-pause"
              onClick={() => setCycle(togglePause)}>{cycle.paused ? t("tours.resume") : t("tours.pause")}</button>
            <button type="button" className="btn btn-sm btn-ghost" data-testid="tour-next"
              onClick={() => setCycle((s) => goTo(s, s.index + 1, dwell, count))}>{t("tours.next")}</button>
            <Link to={`/playback/${encodeURIComponent(item.camera_id)}`} className="btn btn-sm btn-ghost">
              {t("danmaku.playback")}</Link>
          </div>
        </div>
        <aside className="panel live-side">
          <h2 className="panel-subtitle">{t("tours.sinceLast")}</h2>
          <Summary item={item} />
          <h2 className="panel-subtitle">{t("tours.check")}</h2>
          <p className="small" data-testid="tour-item-status" data-status={item.status}>
            {t(`tours.statusName.${item.status}`)}{item.note ? ` · ${item.note}` : ""}</p>
          <input className="danmaku-input" data-testid="tour-note" value={note} maxLength={200}
            placeholder={t("tours.notePlaceholder")} onChange={(e) => setNote(e.target.value)} />
          <div className="tour-actions">
            <button type="button" className="btn btn-sm" data-testid="tour-normal"
              onClick={() => void mark("normal")}>{t("tours.normal")}</button>
            <button type="button" className="btn btn-sm btn-danger" data-testid="tour-issue"
              onClick={() => void mark("issue")}>{t("tours.issue")}</button>
          </div>
          <ErrorText lines={error ? errorLines(error, t) : []} testId="tour-run-error" />
          <ol className="tour-items">
            {run.items.map((i, k) => (
              <li key={i.camera_id} className={k === cycle.index ? "tour-current" : undefined}>
                <button type="button" className="btn btn-sm btn-ghost"
                  onClick={() => setCycle((s) => goTo(s, k, dwell, count))}>{i.camera_name}</button>
                <span className={`tour-status-${i.status}`}>{t(`tours.statusName.${i.status}`)}</span>
              </li>
            ))}
          </ol>
          <button type="button" className="btn btn-primary" data-testid="tour-finish"
            onClick={() => void act(async () => setRun(await api.finish(run.id)))}>{t("tours.finish")}</button>
        </aside>
      </div>
    </div>
  );
}
