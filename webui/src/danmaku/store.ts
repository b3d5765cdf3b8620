/** Pure merging of marker lists and WebSocket messages (newest `updated_at` wins). */
import type { Marker, MarkerMessage } from "./types";

export type MarkerMap = ReadonlyMap<number, Marker>;

function newer(a: Marker | undefined, b: Marker): boolean {
  return a === undefined || b.updated_at >= a.updated_at;
}

export function mergeMarkers(map: MarkerMap, list: readonly Marker[], showHidden: boolean): MarkerMap {
  const out = new Map(map);
  for (const m of list) {
    if (m.hidden && !showHidden) out.delete(m.id);
    else if (newer(out.get(m.id), m)) out.set(m.id, m);
  }
  return out;
}

export function applyMessage(map: MarkerMap, msg: MarkerMessage, showHidden: boolean): MarkerMap {
  if (msg.op === "deleted") {
    if (!map.has(msg.marker.id)) return map;
    const out = new Map(map);
    out.delete(msg.marker.id);
    return out;
  }
  return mergeMarkers(map, [msg.marker], showHidden);
}

/** Markers in time order (ties by id). */
export function sortedMarkers(map: MarkerMap): Marker[] {
  return [...map.values()].sort((a, b) => a.ts - b.ts || a.id - b.id);
}
