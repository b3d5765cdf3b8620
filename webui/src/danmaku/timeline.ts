/** Pure maths of the 24-hour timeline: Asia/Shanghai days, positions, tick → seek. */
import { dateClockText, SHANGHAI_OFFSET_S } from "../districtTime";

export const DAY_S = 86400;
/** Clicking a marker's tick seeks this many seconds before it. */
export const SEEK_LEAD_S = 5;

/** Epoch seconds of 00:00 Asia/Shanghai on the day that contains `t`. */
export function dayStart(t: number): number {
  return Math.floor((t + SHANGHAI_OFFSET_S) / DAY_S) * DAY_S - SHANGHAI_OFFSET_S;
}

/** 00:00 Asia/Shanghai of a "YYYY-MM-DD" value, or null when it is not a date. */
export function parseDateValue(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(ms) ? null : ms / 1000 - SHANGHAI_OFFSET_S;
}

/** Where `t` lies on [since, until] as 0..1 (clamped). */
export function fractionOf(t: number, since: number, until: number): number {
  if (until <= since) return 0;
  return Math.min(1, Math.max(0, (t - since) / (until - since)));
}

/** The moment at fraction `f` (0..1, clamped) of [since, until]. */
export function timeAtFraction(f: number, since: number, until: number): number {
  return since + Math.min(1, Math.max(0, f)) * (until - since);
}

/** Seek target for a marker's tick: SEEK_LEAD_S before it, never before the window. */
export function tickSeekTarget(markerTs: number, since: number, lead = SEEK_LEAD_S): number {
  return Math.max(since, markerTs - lead);
}

export interface Bucket {
  start: number;
  end: number;
  events: number;
  markers: number;
}

/** Bar heights 0..1 of each bucket's events + markers relative to the busiest bucket. */
export function densityLevels(buckets: readonly Bucket[]): number[] {
  const totals = buckets.map((b) => b.events + b.markers);
  const max = Math.max(0, ...totals);
  return totals.map((n) => (max > 0 ? n / max : 0));
}

/** The zoomed bar's window: aligned pages of `span` seconds holding `t` (stable while playing). */
export function zoomWindow(t: number, span = 600): [number, number] {
  const start = Math.floor(t / span) * span;
  return [start, start + span];
}

/** "YYYY-MM-DD HH:MM:SS" (Asia/Shanghai) of an ISO date-time from the API, or "—". */
export function dateTimeText(iso: string | null): string {
  if (!iso) return "—";
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return dateClockText(ms / 1000);
}
