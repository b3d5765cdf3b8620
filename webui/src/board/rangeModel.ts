/** Pure maths of a range board (an alert's recorded time range): which recorded segments play
 * which part of the range, and where a wall-clock moment lies (labels: ../districtTime).
 * Every time here is a wall-clock epoch in seconds (the recording API's domain). */

/** A recorded segment as `GET /api/recordings/{camera}/segments` returns it. */
export interface RecordedSegment {
  id: number;
  camera_id: string;
  start: number;
  end: number;
  duration: number;
  bytes: number;
  width: number;
  height: number;
  codec: string;
  open: boolean;
  url: string;
}

/** The part [from, to] of the range that one segment plays. */
export interface Piece {
  segment: RecordedSegment;
  from: number;
  to: number;
}

/** Where a moment plays: the piece, and seconds into that piece's segment video. */
export interface Spot {
  index: number;
  offset: number;
  /** The moment actually shown (moved forward to the next recording inside a gap). */
  at: number;
}

/** The segments' parts inside [from, to], in time order, without overlaps. */
export function planRange(segments: readonly RecordedSegment[], from: number, to: number): Piece[] {
  const sorted = [...segments].sort((a, b) => a.start - b.start);
  const out: Piece[] = [];
  let cursor = from;
  for (const segment of sorted) {
    const a = Math.max(segment.start, cursor);
    const b = Math.min(segment.end, to);
    if (b - a < 0.05) continue;
    out.push({ segment, from: a, to: b });
    cursor = b;
  }
  return out;
}

/** The piece that plays `t` (clamped to the range), or the next one after a gap. */
export function locate(pieces: readonly Piece[], t: number): Spot | null {
  if (pieces.length === 0) return null;
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  const at = Math.min(Math.max(t, first.from), last.to);
  for (let index = 0; index < pieces.length; index++) {
    const p = pieces[index];
    if (at < p.to || index === pieces.length - 1) {
      const shown = Math.max(at, p.from);
      return { index, offset: shown - p.segment.start, at: shown };
    }
  }
  return null;
}

/** Coverage of the range as [left %, width %] bars for the scrubber. */
export function coverageBars(pieces: readonly Piece[], from: number, to: number): [number, number][] {
  const span = Math.max(to - from, 1e-6);
  return pieces.map((p) => [((p.from - from) / span) * 100, ((p.to - p.from) / span) * 100]);
}

/** Epoch seconds of an ISO date-time from the API (null when absent or unreadable). */
export function epochOf(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms / 1000 : null;
}
