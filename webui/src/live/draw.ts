/**
 * Drawing overlays on a canvas over the video: boxes with track ids, zones and lines with
 * their counts, a heatmap, people count and open rule states. Pure functions over a minimal
 * 2D-context interface so they can be tested without a browser.
 */
import type { Line, Zone } from "../types";
import type { Heatmap, OverlayMessage } from "./types";

export type Ctx2D = Pick<
  CanvasRenderingContext2D,
  | "clearRect"
  | "strokeRect"
  | "fillRect"
  | "fillText"
  | "beginPath"
  | "moveTo"
  | "lineTo"
  | "closePath"
  | "stroke"
  | "fill"
  | "save"
  | "restore"
  | "measureText"
  | "setLineDash"
  | "arc"
> & {
  strokeStyle: string | CanvasGradient | CanvasPattern;
  fillStyle: string | CanvasGradient | CanvasPattern;
  lineWidth: number;
  font: string;
  globalAlpha: number;
  textBaseline: CanvasTextBaseline;
};

/** Where the picture is inside the canvas (letterboxing), in canvas pixels. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Layers {
  boxes: boolean;
  zones: boolean;
  heatmap: boolean;
  counts: boolean;
}

export const DEFAULT_LAYERS: Layers = { boxes: true, zones: true, heatmap: false, counts: true };

export interface Geometry {
  zones: Zone[];
  lines: Line[];
}

export interface Labels {
  people: (count: number) => string;
}

export const BOX_COLOR = "#22d3ee";
export const ALERT_COLOR = "#ef4444";
const ZONE_COLOR = "#facc15";
const LINE_COLOR = "#a78bfa";
const TIER_COLORS = ["#ef4444", "#f97316", "#facc15", "#38bdf8"];

/** The rectangle a picture of `vw`×`vh` fills inside a `cw`×`ch` box (object-fit: contain). */
export function containRect(cw: number, ch: number, vw: number, vh: number): Rect {
  if (vw <= 0 || vh <= 0) return { x: 0, y: 0, w: cw, h: ch };
  const scale = Math.min(cw / vw, ch / vh);
  const w = vw * scale;
  const h = vh * scale;
  return { x: (cw - w) / 2, y: (ch - h) / 2, w, h };
}

function label(ctx: Ctx2D, text: string, x: number, y: number, color: string, size: number): void {
  ctx.font = `600 ${size}px sans-serif`;
  ctx.textBaseline = "top";
  const w = ctx.measureText(text).width + 8;
  ctx.fillStyle = "rgba(2, 8, 23, 0.72)";
  ctx.fillRect(x, y, w, size + 6);
  ctx.fillStyle = color;
  ctx.fillText(text, x + 4, y + 3);
}

export function drawBoxes(ctx: Ctx2D, r: Rect, overlay: OverlayMessage, size: number): number {
  ctx.lineWidth = Math.max(2, size / 7);
  ctx.setLineDash([]);
  for (const b of overlay.boxes) {
    const x = r.x + b.x1 * r.w;
    const y = r.y + b.y1 * r.h;
    ctx.strokeStyle = BOX_COLOR;
    ctx.strokeRect(x, y, (b.x2 - b.x1) * r.w, (b.y2 - b.y1) * r.h);
    const id = b.track_id !== undefined && b.track_id !== null ? `#${b.track_id} ` : "";
    label(ctx, `${id}${b.label} ${Math.round(b.score * 100)}%`, x, Math.max(r.y, y - size - 6),
      BOX_COLOR, size);
  }
  return overlay.boxes.length;
}

export function drawZones(
  ctx: Ctx2D, r: Rect, geo: Geometry, overlay: OverlayMessage | null, size: number,
): void {
  for (const zone of geo.zones) {
    if (zone.polygon.length < 3) continue;
    const count = overlay?.zones.find((z) => z.zone_id === zone.id);
    const color = count?.alert || zone.restricted ? ALERT_COLOR : ZONE_COLOR;
    ctx.beginPath();
    zone.polygon.forEach(([px, py], i) => {
      const x = r.x + px * r.w;
      const y = r.y + py * r.h;
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.closePath();
    ctx.globalAlpha = count?.alert ? 0.22 : 0.1;
    ctx.fillStyle = color;
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.setLineDash([6, 4]);
    ctx.stroke();
    ctx.setLineDash([]);
    const [lx, ly] = zone.polygon[0];
    const text = count ? `${zone.name} ${Math.round(count.count)}` : zone.name;
    label(ctx, text, r.x + lx * r.w, r.y + ly * r.h, color, size);
  }
  for (const line of geo.lines) {
    const ax = r.x + line.a[0] * r.w;
    const ay = r.y + line.a[1] * r.h;
    ctx.beginPath();
    ctx.moveTo(ax, ay);
    ctx.lineTo(r.x + line.b[0] * r.w, r.y + line.b[1] * r.h);
    ctx.strokeStyle = LINE_COLOR;
    ctx.lineWidth = 3;
    ctx.stroke();
    const counts = overlay?.lines.find((l) => l.line_id === line.id);
    const text = counts
      ? `${line.name} ${line.in_name} ${counts.in_count} / ${line.out_name} ${counts.out_count}`
      : line.name;
    label(ctx, text, ax, ay + 4, LINE_COLOR, size);
  }
}

/** Blue → yellow → red with opacity growing with the value (0..255). */
export function heatColor(v: number): string {
  const t = Math.max(0, Math.min(1, v / 255));
  const red = Math.round(255 * Math.min(1, t * 2));
  const green = Math.round(255 * (t < 0.5 ? t * 2 : 2 - t * 2));
  const blue = Math.round(255 * Math.max(0, 1 - t * 2));
  return `rgba(${red}, ${green}, ${blue}, ${(0.15 + 0.5 * t).toFixed(3)})`;
}

export function drawHeatmap(ctx: Ctx2D, r: Rect, heat: Heatmap): number {
  const cw = r.w / heat.width;
  const ch = r.h / heat.height;
  let drawn = 0;
  for (let row = 0; row < heat.height; row += 1) {
    for (let col = 0; col < heat.width; col += 1) {
      const v = heat.cells[row * heat.width + col];
      if (v < 8) continue;
      ctx.fillStyle = heatColor(v);
      ctx.fillRect(r.x + col * cw, r.y + row * ch, cw + 0.5, ch + 0.5);
      drawn += 1;
    }
  }
  return drawn;
}

function drawCounts(ctx: Ctx2D, r: Rect, overlay: OverlayMessage, labels: Labels, size: number) {
  let y = r.y + 6;
  if (overlay.people !== undefined && overlay.people !== null) {
    label(ctx, labels.people(Math.round(overlay.people)), r.x + 6, y, "#e8eef9", size + 2);
    y += size + 12;
  }
  for (const rule of overlay.rules) {
    const color = TIER_COLORS[Math.max(0, Math.min(3, rule.tier - 1))];
    label(ctx, rule.message || rule.kind, r.x + 6, y, color, size);
    y += size + 10;
  }
}

export interface DrawInput {
  rect: Rect;
  overlay: OverlayMessage | null;
  heatmap: Heatmap | null;
  geometry: Geometry;
  layers: Layers;
  labels: Labels;
}

/** Draws one frame's overlay; returns how many boxes were drawn. */
export function drawOverlay(ctx: Ctx2D, width: number, height: number, input: DrawInput): number {
  const { rect, overlay, layers } = input;
  ctx.clearRect(0, 0, width, height);
  const size = Math.max(11, Math.min(18, Math.round(rect.h / 40)));
  ctx.save();
  if (layers.heatmap && input.heatmap) drawHeatmap(ctx, rect, input.heatmap);
  if (layers.zones) drawZones(ctx, rect, input.geometry, overlay, size);
  let boxes = 0;
  if (overlay && layers.boxes) boxes = drawBoxes(ctx, rect, overlay, size);
  if (overlay && layers.counts) drawCounts(ctx, rect, overlay, input.labels, size);
  ctx.restore();
  return boxes;
}
