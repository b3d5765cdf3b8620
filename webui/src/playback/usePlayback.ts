/**
 * Plays a camera's recorded segments as one wall-clock timeline: seek to any moment, carry on
 * with the next segment at `ended`, and report the moment on screen.
 */
import { type RefObject, useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import type { Segment } from "./recordingApi";
import { nextIndex, resolveSeek, segmentEnd, wallClock } from "./segments";

export interface Playback {
  /** The segment being played, or null. */
  segment: Segment | null;
  /** Wall-clock epoch seconds on screen, or null before anything is loaded. */
  playhead: number | null;
  playing: boolean;
  /** Bumped to reload the same (still growing) segment's video. */
  reloads: number;
  /** Set when a seek asked for a moment after the end of the recording. */
  missed: number | null;
  seek: (t: number) => void;
  clock: () => number;
  onLoadedMetadata: () => void;
  onTimeUpdate: () => void;
  onEnded: () => void;
  onPlay: () => void;
  onPause: () => void;
}

export function usePlayback(video: RefObject<HTMLVideoElement | null>, segments: readonly Segment[],
  onNeedMore: () => void): Playback {
  const [current, setCurrent] = useState<{ id: number; offset: number } | null>(null);
  const [playhead, setPlayhead] = useState<number | null>(null);
  const [playing, setPlaying] = useState(false);
  const [missed, setMissed] = useState<number | null>(null);
  const [reloads, setReloads] = useState(0);
  const segmentsRef = useRef(segments);
  const pending = useRef<number | null>(null);
  const waitingForMore = useRef(false);
  useLayoutEffect(() => {
    segmentsRef.current = segments;
  });
  const segment = segments.find((s) => s.id === current?.id) ?? null;
  const segmentRef = useRef(segment);
  useLayoutEffect(() => {
    segmentRef.current = segment;
  });

  const seek = useCallback((t: number) => {
    const list = segmentsRef.current;
    const target = resolveSeek(list, t);
    if (!target) {
      setMissed(t);
      return;
    }
    setMissed(null);
    const seg = list[target.index];
    const v = video.current;
    setPlayhead(target.at);
    if (v && segmentRef.current?.id === seg.id && v.readyState >= 1) {
      v.currentTime = target.offset;
      void v.play().catch(() => undefined);
    } else {
      pending.current = target.offset;
      setCurrent({ id: seg.id, offset: target.offset });
    }
  }, [video]);

  const clock = useCallback(() => {
    const v = video.current;
    const seg = segmentRef.current;
    return seg && v ? wallClock(seg, v.currentTime) : (playhead ?? 0);
  }, [video, playhead]);

  const onLoadedMetadata = useCallback(() => {
    const v = video.current;
    if (!v) return;
    if (pending.current !== null) v.currentTime = Math.min(pending.current, Math.max(0, v.duration - 0.05) || pending.current);
    pending.current = null;
    void v.play().catch(() => undefined);
  }, [video]);

  const onTimeUpdate = useCallback(() => {
    const v = video.current;
    const seg = segmentRef.current;
    if (v && seg) setPlayhead(wallClock(seg, v.currentTime));
  }, [video]);

  const onEnded = useCallback(() => {
    const list = segmentsRef.current;
    const index = list.findIndex((s) => s.id === segmentRef.current?.id);
    const next = index < 0 ? null : nextIndex(list, index);
    if (next === null) {
      waitingForMore.current = true;
      onNeedMore();
      return;
    }
    pending.current = 0;
    setCurrent({ id: list[next].id, offset: 0 });
  }, [onNeedMore]);

  // New segments arrived while we waited at the end of the recording: carry on.
  useEffect(() => {
    if (!waitingForMore.current || !segment) return;
    const index = segments.findIndex((s) => s.id === segment.id);
    const next = nextIndex(segments, index);
    const v = video.current;
    if (next === null) {
      // The open segment grew since its video was loaded: reload it where we stopped.
      if (v && segmentEnd(segment) > wallClock(segment, v.currentTime) + 1) {
        waitingForMore.current = false;
        pending.current = v.currentTime;
        setReloads((n) => n + 1);
      }
      return;
    }
    waitingForMore.current = false;
    pending.current = 0;
    setCurrent({ id: segments[next].id, offset: 0 });
  }, [segments, segment, video]);

  return {
    segment, playhead, playing, missed, reloads, seek, clock, onLoadedMetadata, onTimeUpdate, onEnded,
    onPlay: useCallback(() => setPlaying(true), []),
    onPause: useCallback(() => setPlaying(false), []),
  };
}
