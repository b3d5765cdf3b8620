/** 录像回放: a camera's recordings on a 24-hour timeline (Asia/Shanghai) with its danmaku. */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams, useSearchParams } from "react-router-dom";
import { useApi } from "../apiContext";
import { ErrorText } from "../components/ErrorText";
import { DanmakuControls } from "../danmaku/DanmakuControls";
import { DanmakuStage } from "../danmaku/DanmakuOverlay";
import { MarkerList } from "../danmaku/MarkerList";
import { Timeline } from "../danmaku/Timeline";
import { DAY_S, dayStart, parseDateValue, tickSeekTarget, zoomWindow }
  from "../danmaku/timeline";
import { clockText, dateValue } from "../districtTime";
import { type Marker, matchesFilter } from "../danmaku/types";
import { useDanmaku } from "../danmaku/useDanmaku";
import { errorLines } from "../errorMessage";
import "./playback.css";
import { RecordingApi, type Segment, type TimelineData } from "./recordingApi";
import { canPlayCodec, coverageOf } from "./segments";
import { usePlayback } from "./usePlayback";

const SEGMENT_POLL_MS = 5000;
const HIGHLIGHT_MS = 15000;

function useDayData(rec: RecordingApi, cameraId: string, day: number) {
  const [loadedDay, setLoadedDay] = useState<{ day: number; segments: Segment[] } | null>(null);
  const [timeline, setTimeline] = useState<TimelineData | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loaded, setLoaded] = useState(false);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const [segs, tl] = await Promise.all([
          rec.segments(cameraId, day, day + DAY_S, controller.signal),
          rec.timeline(cameraId, day, day + DAY_S, 96, controller.signal).catch(() => null),
        ]);
        if (controller.signal.aborted) return;
        setLoadedDay({ day, segments: segs });
        setTimeline(tl);
        setError(null);
      } catch (err) {
        if (controller.signal.aborted) return;
        setError(err);
      }
      setLoaded(true);
      // Only today's recording grows.
      if (Date.now() / 1000 < day + DAY_S) timer = setTimeout(() => void load(), SEGMENT_POLL_MS);
    };
    void load();
    return () => {
      controller.abort();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [rec, cameraId, day, generation]);
  const refresh = useCallback(() => setGeneration((g) => g + 1), []);
  const segments = useMemo(() => (loadedDay?.day === day ? loadedDay.segments : []),
    [loadedDay, day]);
  return { segments, timeline, error, loaded: loaded && loadedDay?.day === day, refresh };
}

export function PlaybackPage() {
  const client = useApi();
  const { t } = useTranslation();
  const { cameraId = "" } = useParams();
  const [params] = useSearchParams();
  const rec = useMemo(() => new RecordingApi(client), [client]);
  const asked = Number(params.get("t"));
  const initial = useRef<number | null>(Number.isFinite(asked) && asked > 0 ? asked : null);
  const [day, setDay] = useState(() => dayStart(initial.current ?? Date.now() / 1000));
  const data = useDayData(rec, cameraId, day);
  const videoRef = useRef<HTMLVideoElement>(null);
  const pb = usePlayback(videoRef, data.segments, data.refresh);
  const markerWindow = useMemo(() => ({ since: day, until: day + DAY_S }), [day]);
  const danmaku = useDanmaku(cameraId, markerWindow);
  const [highlight, setHighlight] = useState<Marker | null>(null);
  const [name, setName] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    client.camera(cameraId, controller.signal).then((c) => setName(c.name), () => setName(null));
    return () => controller.abort();
  }, [client, cameraId]);

  // First load of a day: go to the asked moment, or to the latest recording.
  const { seek } = pb;
  const started = useRef<number | null>(null);
  useEffect(() => {
    if (started.current === day || data.segments.length === 0) return;
    started.current = day;
    const target = initial.current ?? data.segments[data.segments.length - 1].start;
    initial.current = null;
    seek(target);
  }, [data.segments, day, seek]);

  useEffect(() => {
    if (!highlight) return undefined;
    const id = setTimeout(() => setHighlight(null), HIGHLIGHT_MS);
    return () => clearTimeout(id);
  }, [highlight]);

  const onTick = (m: Marker) => {
    setHighlight(m);
    pb.seek(tickSeekTarget(m.ts, day));
  };
  const shown = danmaku.feed.markers.filter((m) => matchesFilter(m, danmaku.filter));
  const coverage = data.timeline?.coverage ?? coverageOf(data.segments);
  const [zs, ze] = zoomWindow(pb.playhead ?? day);
  const codec = pb.segment?.codec ?? null;
  const playable = useMemo(
    () => canPlayCodec(codec, (mime) => document.createElement("video").canPlayType(mime)), [codec]);
  const togglePlay = () => {
    const video = videoRef.current;
    if (!video) return;
    if (video.paused) void video.play().catch(() => undefined);
    else video.pause();
  };

  return (
    <div className="page page-playback" data-testid="playback-page"
      data-playhead={pb.playhead?.toFixed(3) ?? ""} data-segment-id={pb.segment?.id ?? ""}
      data-segment-start={pb.segment?.start ?? ""}>
      <div className="page-head">
        <Link to={`/live/${encodeURIComponent(cameraId)}`} className="btn btn-sm btn-ghost"
          data-testid="playback-live">{t("danmaku.backToLive")}</Link>
        <h1 className="page-title" data-testid="page-title">
          {t("playback.title")}{name ? ` · ${name}` : ""}</h1>
        <label className="playback-day">
          {t("playback.day")}
          <input type="date" data-testid="playback-day" value={dateValue(day)}
            onChange={(e) => { const d = parseDateValue(e.target.value); if (d !== null) setDay(d); }} />
        </label>
        <button type="button" className="btn btn-sm btn-ghost" data-testid="playback-prev-day"
          onClick={() => setDay(day - DAY_S)}>{t("playback.prevDay")}</button>
        <button type="button" className="btn btn-sm btn-ghost" data-testid="playback-next-day"
          onClick={() => setDay(day + DAY_S)}>{t("playback.nextDay")}</button>
      </div>
      {data.error !== null && (
        <ErrorText lines={[t("playback.loadFailed"), ...errorLines(data.error, t)]} testId="playback-error" />
      )}
      <div className="live-layout">
        <div className="live-main">
          <DanmakuStage markers={danmaku.feed.markers} filter={danmaku.filter}
            enabled={danmaku.enabled} clock={pb.clock} running={pb.playing} highlight={highlight}
            onPost={danmaku.post}>
            <div className="playback-player">
              <video ref={videoRef} className="playback-video" data-testid="playback-video"
                src={pb.segment ? rec.videoSrc(pb.segment, pb.reloads) : undefined} muted autoPlay playsInline
                onLoadedMetadata={pb.onLoadedMetadata} onTimeUpdate={pb.onTimeUpdate}
                onSeeked={pb.onTimeUpdate} onEnded={pb.onEnded} onPlay={pb.onPlay} onPause={pb.onPause} />
              {pb.segment && !playable && (
                <div className="live-message" data-testid="playback-unsupported">
                  {t("playback.unsupported")}{" "}
                  <a href={rec.videoSrc(pb.segment)} download>{t("playback.download")}</a>
                </div>
              )}
              {data.loaded && data.segments.length === 0 && data.error === null && (
                <div className="live-message" data-testid="playback-empty">{t("playback.empty")}</div>
              )}
            </div>
          </DanmakuStage>
          <div className="playback-bar">
            <button type="button" className="btn btn-sm" data-testid="playback-play"
              onClick={togglePlay} disabled={!pb.segment}>
              {pb.playing ? t("playback.pause") : t("playback.play")}</button>
            <button type="button" className="btn btn-sm btn-ghost" data-testid="playback-back10"
              disabled={pb.playhead === null} onClick={() => pb.seek((pb.playhead ?? day) - 10)}>−10s</button>
            <button type="button" className="btn btn-sm btn-ghost" data-testid="playback-fwd10"
              disabled={pb.playhead === null} onClick={() => pb.seek((pb.playhead ?? day) + 10)}>+10s</button>
            <span className="playback-clock" data-testid="playback-clock">
              {pb.playhead === null ? "—" : `${dateValue(pb.playhead)} ${clockText(pb.playhead)}`}</span>
            {pb.missed !== null && (
              <span className="muted small" data-testid="playback-missed">
                {t("playback.notRecorded", { time: clockText(pb.missed) })}</span>
            )}
          </div>
          <div className="playback-timelines">
            <Timeline since={day} until={day + DAY_S} coverage={coverage}
              buckets={data.timeline?.buckets ?? []} markers={shown} playhead={pb.playhead}
              selectedId={highlight?.id ?? null} onSeek={pb.seek} onTick={onTick} />
            <Timeline testId="timeline-zoom" since={zs} until={ze} coverage={coverage} buckets={[]}
              markers={shown.filter((m) => m.ts >= zs && m.ts <= ze)} playhead={pb.playhead}
              selectedId={highlight?.id ?? null} onSeek={pb.seek} onTick={onTick} />
          </div>
        </div>
        <aside className="panel live-side">
          <h2 className="panel-subtitle">{t("danmaku.title")}</h2>
          <DanmakuControls enabled={danmaku.enabled} onEnabled={danmaku.setEnabled}
            filter={danmaku.filter} onFilter={danmaku.setFilter} markers={danmaku.feed.markers} />
          <h2 className="panel-subtitle">{t("danmaku.recent")}</h2>
          <MarkerList api={danmaku.api} markers={shown} onChanged={danmaku.feed.apply}
            onDeleted={danmaku.feed.forget} onSelect={onTick} />
        </aside>
      </div>
    </div>
  );
}
