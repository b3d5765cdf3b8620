/**
 * Pure geometry of the zone editor, in normalised frame coordinates: (0, 0) is the top-left
 * corner and (1, 1) the bottom-right. Mirrors vision/geometry.py so that the browser refuses
 * what the server would refuse (fewer than 3 points, self-intersecting, no area, outside 0–1).
 */
import type { Point } from "../../types";

/** Digits kept in saved coordinates (1/10000 of the frame is far below a pixel). */
const DIGITS = 4;
/** Below this area (fraction of the frame) a polygon counts as having none, as on the server. */
export const MIN_AREA = 1e-6;
/** Squared length below which a line's end points count as the same point, as on the server. */
export const MIN_LINE_LENGTH_SQ = 1e-6;

export function clamp01(v: number): number {
  if (Number.isNaN(v)) return 0;
  return Math.min(1, Math.max(0, v));
}

export function roundCoord(v: number): number {
  const f = 10 ** DIGITS;
  return Math.round(v * f) / f;
}

/** A pointer position on an element (client pixels) → a normalised point inside the frame. */
export function toNormalised(
  clientX: number,
  clientY: number,
  rect: { left: number; top: number; width: number; height: number },
): Point {
  if (rect.width <= 0 || rect.height <= 0) return [0, 0];
  return [
    roundCoord(clamp01((clientX - rect.left) / rect.width)),
    roundCoord(clamp01((clientY - rect.top) / rect.height)),
  ];
}

export function inFrame(p: Point): boolean {
  return p[0] >= 0 && p[0] <= 1 && p[1] >= 0 && p[1] <= 1;
}

function orient(a: Point, b: Point, c: Point): number {
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

function onSegment(a: Point, b: Point, c: Point): boolean {
  return (
    Math.min(a[0], b[0]) <= c[0] &&
    c[0] <= Math.max(a[0], b[0]) &&
    Math.min(a[1], b[1]) <= c[1] &&
    c[1] <= Math.max(a[1], b[1])
  );
}

/** True when the closed segments p1-p2 and q1-q2 share a point (collinear overlap included). */
export function segmentsIntersect(p1: Point, p2: Point, q1: Point, q2: Point): boolean {
  const d1 = orient(q1, q2, p1);
  const d2 = orient(q1, q2, p2);
  const d3 = orient(p1, p2, q1);
  const d4 = orient(p1, p2, q2);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)))
    return true;
  return (
    (d1 === 0 && onSegment(q1, q2, p1)) ||
    (d2 === 0 && onSegment(q1, q2, p2)) ||
    (d3 === 0 && onSegment(p1, p2, q1)) ||
    (d4 === 0 && onSegment(p1, p2, q2))
  );
}

/**
 * The first pair of non-adjacent edges that cross, as 1-based edge numbers (edge k joins point k
 * and point k+1, the last edge closes the polygon), or null when the polygon is simple.
 */
export function selfIntersection(points: readonly Point[]): [number, number] | null {
  const n = points.length;
  if (n < 4) return null;
  for (let i = 0; i < n; i++) {
    const a1 = points[i];
    const a2 = points[(i + 1) % n];
    for (let j = i + 1; j < n; j++) {
      if (j === (i + 1) % n || (j + 1) % n === i) continue; // adjacent edges share a vertex
      if (segmentsIntersect(a1, a2, points[j], points[(j + 1) % n])) return [i + 1, j + 1];
    }
  }
  return null;
}

/** Unsigned shoelace area. */
export function polygonArea(points: readonly Point[]): number {
  let s = 0;
  for (let i = 0; i < points.length; i++) {
    const [x1, y1] = points[i];
    const [x2, y2] = points[(i + 1) % points.length];
    s += x1 * y2 - x2 * y1;
  }
  return Math.abs(s) / 2;
}

/** Mean of the vertices: where a zone's label goes. */
export function centroid(points: readonly Point[]): Point {
  if (points.length === 0) return [0.5, 0.5];
  const sx = points.reduce((acc, p) => acc + p[0], 0);
  const sy = points.reduce((acc, p) => acc + p[1], 0);
  return [sx / points.length, sy / points.length];
}

export type PolygonProblem =
  | { code: "tooFewPoints"; count: number }
  | { code: "outsideFrame" }
  | { code: "selfIntersecting"; edges: [number, number] }
  | { code: "noArea" };

/** Why the server would refuse this polygon, or null when it is a valid zone outline. */
export function polygonProblem(points: readonly Point[]): PolygonProblem | null {
  if (points.length < 3) return { code: "tooFewPoints", count: points.length };
  if (!points.every(inFrame)) return { code: "outsideFrame" };
  const edges = selfIntersection(points);
  if (edges) return { code: "selfIntersecting", edges };
  if (polygonArea(points) < MIN_AREA) return { code: "noArea" };
  return null;
}

export function lineTooShort(a: Point, b: Point): boolean {
  return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 < MIN_LINE_LENGTH_SQ;
}

/** Distance in pixels between two normalised points on a frame of `width`×`height` pixels. */
export function pixelDistance(p: Point, q: Point, width: number, height: number): number {
  return Math.hypot((p[0] - q[0]) * width, (p[1] - q[1]) * height);
}

/** Index of the point nearest to `p` within `tolerancePx` pixels, or -1. */
export function hitPoint(
  points: readonly Point[],
  p: Point,
  tolerancePx: number,
  width: number,
  height: number,
): number {
  let best = -1;
  let bestDist = tolerancePx;
  points.forEach((q, i) => {
    const d = pixelDistance(p, q, width, height);
    if (d <= bestDist) {
      best = i;
      bestDist = d;
    }
  });
  return best;
}

/**
 * Unit vector (in pixels of a `width`×`height` frame, y pointing down) perpendicular to a→b,
 * pointing to the side that a crossing counted as "in" ends on: the right of a→b seen looking
 * from a to b, as vision/counting.py counts it.
 */
export function inNormal(a: Point, b: Point, width: number, height: number): [number, number] {
  const dx = (b[0] - a[0]) * width;
  const dy = (b[1] - a[1]) * height;
  const len = Math.hypot(dx, dy);
  if (len === 0) return [0, 0];
  return [-dy / len, dx / len];
}

/** Which side of a→b a point lies on: +1 the "in" side (right), -1 the "out" side, 0 on it. */
export function sideOf(a: Point, b: Point, p: Point): -1 | 0 | 1 {
  const d = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
  return d > 0 ? 1 : d < 0 ? -1 : 0;
}

/** The point at fraction `t` along a→b. */
export function along(a: Point, b: Point, t: number): Point {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
}
