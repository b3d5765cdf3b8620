/** Marker (弹幕) shapes of the Markers API (markers/). Keep in sync with its pydantic models. */

export type MarkerKind = "note" | "ai" | "issue";
export const MARKER_KINDS: readonly MarkerKind[] = ["note", "ai", "issue"];
export const TIERS: readonly number[] = [1, 2, 3, 4];

export interface MarkerAuthor {
  username: string;
  display_name: string;
}

export interface Marker {
  id: number;
  camera_id: string;
  /** Wall-clock epoch seconds of the moment on the camera's video. */
  ts: number;
  /** Normalised point on the frame (0..1), or null for a marker without a place. */
  x: number | null;
  y: number | null;
  /** Plain text: always rendered as text, never as HTML. */
  text: string;
  kind: MarkerKind;
  tier: number | null;
  /** null for markers made by the AI. */
  author: MarkerAuthor | null;
  rule: string | null;
  event_id: string | null;
  created_at: string;
  updated_at: string;
  hidden: boolean;
}

export interface MarkerCreate {
  camera_id: string;
  ts?: number;
  x?: number | null;
  y?: number | null;
  text: string;
  kind?: "note" | "issue";
  tier?: number | null;
}

export interface MarkerPatch {
  text?: string;
  x?: number | null;
  y?: number | null;
  tier?: number | null;
  hidden?: boolean;
}

export interface MarkerQuery {
  camera_id: string;
  since?: number;
  until?: number;
  kind?: MarkerKind;
  author?: string;
  tier?: number;
  limit?: number;
}

/** One message of WS /api/markers/ws. */
export interface MarkerMessage {
  type: "marker";
  op: "created" | "updated" | "deleted";
  marker: Marker;
}

/** Sent instead when this client fell behind and lost `dropped` messages: reload. */
export interface DroppedMessage {
  type: "dropped";
  dropped: number;
}

/** Which markers the overlay shows; empty sets mean "all". */
export interface MarkerFilter {
  kinds: ReadonlySet<MarkerKind>;
  authors: ReadonlySet<string>;
  tiers: ReadonlySet<number>;
}

export const ALL_MARKERS: MarkerFilter = { kinds: new Set(), authors: new Set(), tiers: new Set() };

/** The author key used by filters: the username, or "ai" for markers made by the AI. */
export function authorKey(m: Marker): string {
  return m.author?.username ?? "ai";
}

export function matchesFilter(m: Marker, f: MarkerFilter): boolean {
  if (f.kinds.size > 0 && !f.kinds.has(m.kind)) return false;
  if (f.authors.size > 0 && !f.authors.has(authorKey(m))) return false;
  if (f.tiers.size > 0 && (m.tier === null || !f.tiers.has(m.tier))) return false;
  return true;
}

/** 蓝 / 黄 / 橙 / 红 for tiers 1..4 (IV to I); notes without a tier are white. */
export const TIER_COLORS: Record<number, string> = {
  1: "#3b82f6",
  2: "#facc15",
  3: "#f97316",
  4: "#ef4444",
};

export function markerColor(m: Pick<Marker, "tier" | "kind">): string {
  if (m.tier !== null && TIER_COLORS[m.tier]) return TIER_COLORS[m.tier];
  return m.kind === "issue" ? TIER_COLORS[2] : "#ffffff";
}
