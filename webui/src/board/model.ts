/**
 * The shared board document (same schema as annotate/schemas.py `Element`): a Y.Map
 * `elements` of id → Y.Map {type, points, text, color, width, fontSize, curved, heads, author, z}.
 * Points are normalised to the video frame (0–1), flat [x0, y0, x1, y1, …], so a drawing stays
 * on the same spot of the picture whatever size the view has.
 */
import * as Y from "yjs";

export type ElementType = "text" | "arrow" | "rect" | "ellipse" | "polygon" | "freehand" | "pin";
export type Tool = "none" | ElementType | "erase";
export const TOOLS: Tool[] = ["none", "arrow", "rect", "ellipse", "polygon", "freehand", "pin",
  "text", "erase"];

export interface Style {
  color: string;
  width: number;
  fontSize: number;
  curved: boolean;
}

export interface BoardElement extends Style {
  id: string;
  type: ElementType;
  points: number[];
  text: string;
  heads: "end" | "both" | "none";
  author: string;
  z: number;
}

export interface Pt {
  x: number;
  y: number;
}

export const LOCAL_ORIGIN = "cityeye-local";

const TYPES = new Set<string>(TOOLS);

function num(v: unknown, fallback: number): number {
  return typeof v === "number" && Number.isFinite(v) ? v : fallback;
}

/** A Y.Map element → a plain element; null when it is not one we can draw. */
export function readElement(id: string, value: unknown): BoardElement | null {
  if (!(value instanceof Y.Map)) return null;
  const type = value.get("type");
  if (typeof type !== "string" || !TYPES.has(type) || type === "none" || type === "erase") return null;
  const raw = value.get("points");
  const points = Array.isArray(raw) ? raw.filter((p): p is number => typeof p === "number") : [];
  const heads = value.get("heads");
  return {
    id,
    type: type as ElementType,
    points,
    text: String(value.get("text") ?? ""),
    color: String(value.get("color") ?? "#ff3b30"),
    width: num(value.get("width"), 3),
    fontSize: num(value.get("fontSize"), 18),
    curved: value.get("curved") === true,
    heads: heads === "both" || heads === "none" ? heads : "end",
    author: String(value.get("author") ?? ""),
    z: num(value.get("z"), 0),
  };
}

export function readElements(map: Y.Map<unknown>): BoardElement[] {
  const out: BoardElement[] = [];
  map.forEach((value, id) => {
    const el = readElement(id, value);
    if (el) out.push(el);
  });
  return out.sort((a, b) => a.z - b.z || a.id.localeCompare(b.id));
}

/** Plain elements from the history API (same fields, `font_size` spelled the Python way). */
export function fromHistory(items: Record<string, unknown>[]): BoardElement[] {
  return items.map((raw) => {
    const m = new Y.Doc().getMap<unknown>("x");
    for (const [k, v] of Object.entries(raw)) m.set(k === "font_size" ? "fontSize" : k, v);
    return readElement(String(raw.id), m);
  }).filter((e): e is BoardElement => e !== null);
}

export function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}

/** The control point of a curved arrow: a quarter of its length to the left of the middle. */
export function curveControl(a: Pt, b: Pt): Pt {
  const mx = (a.x + b.x) / 2;
  const my = (a.y + b.y) / 2;
  return { x: mx - (b.y - a.y) * 0.25, y: my + (b.x - a.x) * 0.25 };
}

/** Points for a new element from the pointer path (normalised). */
export function pointsFor(type: ElementType, path: Pt[], curved: boolean): number[] {
  const first = path[0];
  const last = path[path.length - 1];
  if (!first || !last) return [];
  if (type === "arrow") {
    const pts = curved ? [first, curveControl(first, last), last] : [first, last];
    return pts.flatMap((p) => [p.x, p.y]);
  }
  if (type === "rect" || type === "ellipse") return [first.x, first.y, last.x, last.y];
  if (type === "text" || type === "pin") return [first.x, first.y];
  return path.flatMap((p) => [p.x, p.y]);
}

/** Adds one element in one local transaction (one undo step). */
export function addElement(doc: Y.Doc, map: Y.Map<unknown>, el: Omit<BoardElement, "id">,
  id: string = crypto.randomUUID()): string {
  doc.transact(() => {
    const m = new Y.Map<unknown>();
    for (const [k, v] of Object.entries(el)) m.set(k, v);
    map.set(id, m);
  }, LOCAL_ORIGIN);
  return id;
}

export function removeElement(doc: Y.Doc, map: Y.Map<unknown>, id: string): void {
  doc.transact(() => map.delete(id), LOCAL_ORIGIN);
}

/** A stable colour for a user name (presence cursors). */
export function colorFor(name: string): string {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `hsl(${h % 360}, 80%, 55%)`;
}

/** SVG path of an arrow shaft (straight or quadratic) in pixel space. */
export function arrowPath(pts: Pt[]): string {
  const [a, c, b] = pts;
  if (!a || !c) return "";
  if (b) return `M ${a.x} ${a.y} Q ${c.x} ${c.y} ${b.x} ${b.y}`;
  return `M ${a.x} ${a.y} L ${c.x} ${c.y}`;
}

/** A triangular head at `tip` pointing away from `from`. */
export function arrowHead(tip: Pt, from: Pt, size: number): string {
  const ang = Math.atan2(tip.y - from.y, tip.x - from.x);
  const l = { x: tip.x - size * Math.cos(ang - 0.45), y: tip.y - size * Math.sin(ang - 0.45) };
  const r = { x: tip.x - size * Math.cos(ang + 0.45), y: tip.y - size * Math.sin(ang + 0.45) };
  return `${tip.x},${tip.y} ${l.x},${l.y} ${r.x},${r.y}`;
}
