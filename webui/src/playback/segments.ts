/** Pure seeking across recorded segments by wall-clock time. */
import type { Segment } from "./recordingApi";

/** Seconds the open (still recording) segment is assumed to hold when its end is unknown. */
export const OPEN_SEGMENT_S = 3600;

export function segmentEnd(s: Pick<Segment, "start" | "end" | "duration">): number {
  if (s.end !== null) return s.end;
  if (s.duration !== null) return s.start + s.duration;
  return s.start + OPEN_SEGMENT_S;
}

export interface SeekTarget {
  index: number;
  /** Seconds into the segment's video. */
  offset: number;
  /** The wall-clock moment actually reached (later than asked when `t` fell in a gap). */
  at: number;
}

/**
 * Where wall-clock moment `t` is: inside a segment → that segment and the offset; in a gap or
 * before the first → the start of the next segment; after the last → null. Segments are sorted
 * by start.
 */
export function resolveSeek(segments: readonly Segment[], t: number): SeekTarget | null {
  for (let i = 0; i < segments.length; i += 1) {
    const s = segments[i];
    if (t < s.start) return { index: i, offset: 0, at: s.start };
    if (t < segmentEnd(s)) return { index: i, offset: t - s.start, at: t };
  }
  return null;
}

/** The wall-clock moment shown at `currentTime` seconds into segment `s`. */
export function wallClock(s: Pick<Segment, "start">, currentTime: number): number {
  return s.start + currentTime;
}

/** The segment to play after segment `index` ends, or null at the end of the recording. */
export function nextIndex(segments: readonly Segment[], index: number): number | null {
  return index + 1 < segments.length ? index + 1 : null;
}

/** [start, end] spans of recorded video, merging segments that touch (≤ `slack` s apart). */
export function coverageOf(segments: readonly Segment[], slack = 1): [number, number][] {
  const out: [number, number][] = [];
  for (const s of segments) {
    const end = segmentEnd(s);
    const last = out.at(-1);
    if (last && s.start <= last[1] + slack) last[1] = Math.max(last[1], end);
    else out.push([s.start, end]);
  }
  return out;
}

/** MIME types a browser is asked about for each recorded codec (Main profile, level 3.1). */
const CODEC_MIME: Record<string, string> = {
  h264: 'video/mp4; codecs="avc1.42E01F"',
  hevc: 'video/mp4; codecs="hev1.1.6.L93.B0"',
};

/**
 * Whether the browser can play a segment of `codec`, given `canPlayType` (an HTMLVideoElement's).
 * H.264 always plays; H.265 only where the browser has a decoder for it (often not).
 */
export function canPlayCodec(codec: string | null, canPlayType: (mime: string) => string): boolean {
  if (codec === null || codec === "h264") return true;
  const mime = CODEC_MIME[codec];
  return mime !== undefined && canPlayType(mime) !== "";
}
