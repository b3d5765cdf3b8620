/** Plays a range board's recorded time range: finds the camera's segments for the range, plays
 * them one after another in one <video>, and keeps the wall-clock moment on screen. */
import { type RefObject, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ApiError } from "../api";
import type { Board, BoardApi } from "./boardApi";
import { epochOf, locate, type Piece, planRange, type RecordedSegment } from "./rangeModel";

const REFRESH_MS = 4000;
const END_SLACK_S = 0.05;

export type RangeStatus = "loading" | "ready" | "empty" | "unavailable";

export interface RangePlayback {
  from: number;
  to: number;
  status: RangeStatus;
  pieces: Piece[];
  /** The wall-clock moment shown (epoch seconds). */
  now: number;
  playing: boolean;
  src: string | null;
  videoRef: RefObject<HTMLVideoElement | null>;
  seek: (t: number) => void;
  toggle: () => void;
  handlers: {
    onLoadedMetadata: () => void;
    onTimeUpdate: () => void;
    onEnded: () => void;
    onPlay: () => void;
    onPause: () => void;
  };
}

function rangeOf(board: Board | null): { camera: string; from: number; to: number } | null {
  if (!board || board.kind !== "range") return null;
  const from = epochOf(board.frame_at);
  const to = epochOf(board.range_end);
  return from !== null && to !== null && to > from ? { camera: board.camera_id, from, to } : null;
}

/** Segments of [from, to], refreshed while the range is still being recorded. */
function useSegments(api: BoardApi, camera: string | null, from: number, to: number) {
  const [segments, setSegments] = useState<RecordedSegment[] | null>(null);
  const [status, setStatus] = useState<RangeStatus>("loading");
  useEffect(() => {
    if (!camera) return undefined;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    setSegments(null);
    setStatus("loading");
    const load = async () => {
      try {
        const segs = await api.segments(camera, from, to, controller.signal);
        if (controller.signal.aborted) return;
        setSegments(segs);
        setStatus(planRange(segs, from, to).length > 0 ? "ready" : "empty");
        const growing = to > Date.now() / 1000 || segs.some((s) => s.open && s.end < to);
        if (growing) timer = setTimeout(() => void load(), REFRESH_MS);
      } catch (err) {
        if (controller.signal.aborted) return;
        setStatus(err instanceof ApiError && err.status === 503 ? "unavailable" : "empty");
      }
    };
    void load();
    return () => { controller.abort(); if (timer !== undefined) clearTimeout(timer); };
  }, [api, camera, from, to]);
  return { segments, status };
}

export function useRangePlayback(api: BoardApi, board: Board | null): RangePlayback | null {
  const range = rangeOf(board);
  const from = range?.from ?? 0;
  const to = range?.to ?? 0;
  const { segments, status } = useSegments(api, range?.camera ?? null, from, to);
  const pieces = useMemo(() => planRange(segments ?? [], from, to), [segments, from, to]);
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const [index, setIndex] = useState(0);
  const [reload, setReload] = useState(0);
  const [now, setNow] = useState(from);
  const [playing, setPlaying] = useState(false);
  const pending = useRef<number | null>(null);  // seconds into the next loaded video
  const wantPlay = useRef(false);
  const started = useRef(false);
  const reloadedTo = useRef(0);  // the open segment's end when its video was last reloaded

  useEffect(() => {  // a new board: back to the start of its range
    started.current = false;
    wantPlay.current = false;
    setIndex(0);
    setNow(from);
  }, [board?.id, from]);
  useEffect(() => {
    if (started.current || pieces.length === 0) return;
    started.current = true;
    pending.current = pieces[0].from - pieces[0].segment.start;
    setNow(pieces[0].from);
  }, [pieces]);

  const piece: Piece | undefined = pieces[index];
  const src = piece ? `${api.mediaUrl(piece.segment.url)}${reload ? `&r=${reload}` : ""}` : null;

  const seek = useCallback((t: number) => {
    const spot = locate(pieces, t);
    const video = videoRef.current;
    if (!spot) return;
    setNow(spot.at);
    if (spot.index === index && video && video.readyState >= 1) {
      video.currentTime = spot.offset;
    } else {
      pending.current = spot.offset;
      setIndex(spot.index);
    }
  }, [pieces, index]);

  const advance = useCallback(() => {
    const video = videoRef.current;
    if (!piece || !video) return;
    const t = piece.segment.start + video.currentTime;
    if (t < piece.to - 0.5 && piece.segment.end > reloadedTo.current + 0.5) {
      // the segment grew since its video was loaded (it was still being written): reload there
      reloadedTo.current = piece.segment.end;
      pending.current = video.currentTime;
      setReload((n) => n + 1);
      return;
    }
    const next = pieces[index + 1];
    if (next) {
      pending.current = next.from - next.segment.start;
      setIndex(index + 1);
      return;
    }
    wantPlay.current = false;
    video.pause();
    setNow(piece.to);
  }, [piece, pieces, index]);

  const toggle = useCallback(() => {
    const video = videoRef.current;
    if (!video || pieces.length === 0) return;
    if (!video.paused) {
      wantPlay.current = false;
      video.pause();
      return;
    }
    wantPlay.current = true;
    if (now >= pieces[pieces.length - 1].to - 0.1) {
      seek(pieces[0].from);
      if (index !== 0) return;  // plays once the first segment has loaded
    }
    void video.play().catch(() => { wantPlay.current = false; });
  }, [pieces, now, seek, index]);

  const handlers = {
    onLoadedMetadata: () => {
      const video = videoRef.current;
      if (!video) return;
      if (pending.current !== null) video.currentTime = pending.current;
      pending.current = null;
      if (wantPlay.current) void video.play().catch(() => { wantPlay.current = false; });
    },
    onTimeUpdate: () => {
      const video = videoRef.current;
      if (!video || !piece || pending.current !== null) return;
      const t = piece.segment.start + video.currentTime;
      setNow(Math.min(t, piece.to));
      if (t >= piece.to - END_SLACK_S && !video.paused) advance();
    },
    onEnded: advance,
    onPlay: () => setPlaying(true),
    onPause: () => setPlaying(false),
  };

  if (!range) return null;
  return { from, to, status, pieces, now, playing, src, videoRef, seek, toggle, handlers };
}
