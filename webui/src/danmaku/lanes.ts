/**
 * Danmaku lane layout: a pure, deterministic assignment of scrolling items to lanes.
 *
 * Every item enters at the right edge of an overlay `width` px wide at its `start` (seconds)
 * and moves left at `speed` px/s, so it is on screen during [start, start + (width + w) / speed).
 * All items move at the same speed, so an item never catches up with the one before it in its
 * lane: a lane is free again once the previous item's tail plus `gap` has left the right edge.
 * An item goes to the lowest free lane; when no lane is free, or `cap` items are already on
 * screen, it is merged into the "+N" count instead of being drawn.
 */

export interface LaneItem {
  id: number;
  /** Seconds (any clock, e.g. wall-clock epoch) when the item enters at the right edge. */
  start: number;
  /** Width of its label in px. */
  width: number;
}

export interface LaneOptions {
  /** Overlay width in px. */
  width: number;
  /** Scroll speed in px/s (> 0). */
  speed: number;
  /** Number of lanes (>= 1). */
  lanes: number;
  /** Most items on screen at once; the rest are merged into "+N". */
  cap: number;
  /** Minimum px between two items in one lane. */
  gap?: number;
}

export interface Placement {
  id: number;
  lane: number;
  start: number;
  /** When its tail leaves the left edge. */
  end: number;
  width: number;
}

export interface Merged {
  id: number;
  start: number;
  end: number;
}

export interface LaneLayout {
  placed: Placement[];
  merged: Merged[];
}

export const DEFAULT_GAP = 24;

function byStart(a: LaneItem, b: LaneItem): number {
  return a.start - b.start || a.id - b.id;
}

export function layoutLanes(items: readonly LaneItem[], options: LaneOptions): LaneLayout {
  const { width, speed, cap } = options;
  const lanes = Math.max(1, Math.floor(options.lanes));
  const gap = options.gap ?? DEFAULT_GAP;
  if (!(speed > 0)) throw new Error("layoutLanes: speed must be > 0");
  const freeAt = new Array<number>(lanes).fill(-Infinity);
  const placed: Placement[] = [];
  const merged: Merged[] = [];
  let active: Placement[] = [];
  for (const item of [...items].sort(byStart)) {
    const end = item.start + (width + item.width) / speed;
    active = active.filter((p) => p.end > item.start);
    const lane = freeAt.findIndex((t) => t <= item.start);
    if (lane < 0 || active.length >= cap) {
      merged.push({ id: item.id, start: item.start, end });
      continue;
    }
    const p: Placement = { id: item.id, lane, start: item.start, end, width: item.width };
    freeAt[lane] = item.start + (item.width + gap) / speed;
    placed.push(p);
    active.push(p);
  }
  return { placed, merged };
}

export interface Visible extends Placement {
  /** Left edge in px at the asked moment. */
  x: number;
}

/** The placed items on screen at `t` with their x position, and how many are merged ("+N"). */
export function visibleAt(
  layout: LaneLayout,
  t: number,
  options: Pick<LaneOptions, "width" | "speed">,
): { items: Visible[]; more: number } {
  const items = layout.placed
    .filter((p) => p.start <= t && t < p.end)
    .map((p) => ({ ...p, x: options.width - options.speed * (t - p.start) }));
  const more = layout.merged.filter((m) => m.start <= t && t < m.end).length;
  return { items, more };
}

/** Label width estimate without a canvas: CJK glyphs 1 em, others about 0.6 em, plus padding. */
export function estimateTextWidth(text: string, fontPx: number, padPx = 16): number {
  let w = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    w += code >= 0x2e80 ? fontPx : fontPx * 0.6;
  }
  return Math.ceil(w + padPx);
}
