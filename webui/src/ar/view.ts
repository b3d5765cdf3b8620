/** Pure helpers for the AR view and the site map (unit-tested). */
import type { PtzKind, PtzState } from "./geoApi";

/** CSS transform that shows the crop (x, y, w, h in 0..1) of the video filling its box. */
export function cropTransform(crop: [number, number, number, number] | null): string {
  if (!crop) return "none";
  const [x, y, w, h] = crop;
  return `scale(${1 / w}, ${1 / h}) translate(${-x * 100}%, ${-y * 100}%)`;
}

/** The next PTZ state after a button press; digital pan/tilt are the crop centre in 0..1. */
export function stepPtz(kind: PtzKind, s: PtzState, move: "left" | "right" | "up" | "down" |
  "in" | "out"): PtzState {
  const digital = kind === "digital";
  const step = digital ? 0.1 / s.zoom : 5 / s.zoom;
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  const pan = (d: number) => (digital ? clamp(s.pan + d, 0, 1) : s.pan + d * 1);
  const tilt = (d: number) => (digital ? clamp(s.tilt + d, 0, 1) : clamp(s.tilt + d, -90, 90));
  switch (move) {
    case "left": return { ...s, pan: pan(-step) };
    case "right": return { ...s, pan: pan(step) };
    case "up": return { ...s, tilt: tilt(-step) };
    case "down": return { ...s, tilt: tilt(step) };
    case "in": return { ...s, zoom: clamp(s.zoom * 1.5, 1, 8) };
    case "out": return { ...s, zoom: clamp(s.zoom / 1.5, 1, 8) };
  }
}

export interface Bounds {
  minX: number;
  minY: number;
  width: number;
  height: number;
}

/** SVG viewBox (north up: y = -north) around the given points, with a margin. */
export function planBounds(points: [number, number][], margin = 20): Bounds {
  if (points.length === 0) return { minX: -100, minY: -100, width: 200, height: 200 };
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => -p[1]);
  const minX = Math.min(...xs) - margin;
  const minY = Math.min(...ys) - margin;
  return { minX, minY, width: Math.max(...xs) + margin - minX,
    height: Math.max(...ys) + margin - minY };
}

/** The points within `radius` of the densest point (the most neighbours): a street close-up. */
export function nearCluster(points: [number, number][], radius: number): [number, number][] {
  const within = (c: [number, number]) =>
    points.filter((p) => Math.hypot(p[0] - c[0], p[1] - c[1]) <= radius);
  let best: [number, number][] = points;
  let bestN = -1;
  for (const c of points) {
    const n = within(c).length;
    if (n > bestN) { bestN = n; best = within(c); }
  }
  return best;
}

/** A form field for the API: a number when it reads as one, null when empty, else the text as
 * typed (so the server's validation message names the field and the problem). */
export function asNumber(text: string): number | string | null {
  const s = text.trim();
  if (s === "") return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : s;
}
