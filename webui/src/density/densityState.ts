/** Pure parts of the density-calibration page: points, points files, the request, the result. */

export type Point = [number, number];

export interface CalFrame {
  id: string;
  /** Object URL for display. */
  url: string;
  /** base64 JPEG/PNG (no data: prefix) sent to the server. */
  data: string;
  width: number;
  height: number;
  points: Point[];
}

export interface FrameError {
  truth: number;
  before: number;
  after: number;
}

export interface CalibrationReport {
  frames: number;
  points: number;
  mae_before: number;
  mae_after: number;
  evaluated_on: "held-out" | "fit" | string;
  per_frame: FrameError[];
}

export interface CalibrationState {
  camera_id: string;
  calibrated: boolean;
  rows: number | null;
  cols: number | null;
  scales: number[][] | null;
  report: CalibrationReport | null;
  model: string | null;
  created_by: string | null;
  created_at: string | null;
}

export interface CalibrationRequest {
  frames: { image: string; points: Point[] }[];
  rows: number;
  cols: number;
}

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));

/** Click at normalised (x, y): removes the nearest point within `radius` (normalised), else adds one. */
export function togglePoint(points: Point[], x: number, y: number, radius = 0.015): Point[] {
  let best = -1;
  let bestD = radius * radius;
  points.forEach(([px, py], i) => {
    const d = (px - x) ** 2 + (py - y) ** 2;
    if (d <= bestD) {
      best = i;
      bestD = d;
    }
  });
  if (best >= 0) return points.filter((_, i) => i !== best);
  return [...points, [clamp01(x), clamp01(y)]];
}

function pairsFrom(value: unknown): number[][] {
  if (Array.isArray(value)) {
    return value.map((p) => {
      if (Array.isArray(p) && p.length >= 2) return [Number(p[0]), Number(p[1])];
      if (p && typeof p === "object" && "x" in p && "y" in p) {
        const o = p as { x: unknown; y: unknown };
        return [Number(o.x), Number(o.y)];
      }
      return [Number.NaN, Number.NaN];
    });
  }
  if (value && typeof value === "object" && "points" in value) {
    return pairsFrom((value as { points: unknown }).points);
  }
  throw new Error("format");
}

/**
 * A points file: JSON (`[[x, y], ...]`, `[{x, y}, ...]` or `{"points": [...]}`) or CSV/text lines
 * `x,y` (a header line is skipped). Values all within [0, 1] are taken as normalised, otherwise as
 * pixels of a `width`×`height` frame. Throws Error("format" | "range") for a bad file.
 */
export function parsePointsFile(text: string, width: number, height: number): Point[] {
  const trimmed = text.trim();
  let pairs: number[][];
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new Error("format");
    }
    pairs = pairsFrom(parsed);
  } else {
    pairs = trimmed
      .split(/\r?\n/)
      .map((line) => line.split(/[,;\s]+/).filter(Boolean).map(Number))
      .filter((p) => p.length >= 2 && p.every((v) => !Number.isNaN(v)));
  }
  if (pairs.some((p) => p.some((v) => !Number.isFinite(v)))) throw new Error("format");
  const normalised = pairs.every(([x, y]) => x >= 0 && x <= 1 && y >= 0 && y <= 1);
  const points: Point[] = pairs.map(([x, y]) => (normalised ? [x, y] : [x / width, y / height]));
  if (points.some(([x, y]) => x < 0 || x > 1 || y < 0 || y > 1)) throw new Error("range");
  return points;
}

export function totalPoints(frames: CalFrame[]): number {
  return frames.reduce((n, f) => n + f.points.length, 0);
}

/** Why the Calibrate button is disabled (an i18n key), or null when it may be pressed. */
export function blocker(frames: CalFrame[]): string | null {
  if (frames.length === 0) return "densityCal.needFrame";
  if (totalPoints(frames) === 0) return "densityCal.needPoints";
  return null;
}

export function buildRequest(frames: CalFrame[], grid: number): CalibrationRequest {
  return {
    frames: frames.map((f) => ({ image: f.data, points: f.points })),
    rows: grid,
    cols: grid,
  };
}

/** Relative change of the error: -0.4 means 40 % smaller after calibration. */
export function errorChange(report: CalibrationReport): number | null {
  if (report.mae_before <= 0) return null;
  return (report.mae_after - report.mae_before) / report.mae_before;
}

/** The change as the page shows it: signed whole percent ("+28", "-75"). */
export function formatChange(change: number): string {
  const pct = Math.round(change * 100);
  return pct > 0 ? `+${pct}` : String(pct);
}

/** Calibration made the counts worse on the frames it was checked on: the page advises
 * clearing it (the model was already close there) or labelling more frames. */
export function calibrationWorse(report: CalibrationReport): boolean {
  return report.mae_after > report.mae_before;
}
