/** Everything a page needs for danmaku on one camera: markers feed, filters, toggle, posting. */
import { useCallback, useMemo, useState } from "react";
import { useApi } from "../apiContext";
import { useAuth } from "../authContext";
import type { Draft } from "./Composer";
import { MarkersApi } from "./markersApi";
import { ALL_MARKERS, type MarkerFilter } from "./types";
import { type MarkersState, type MarkerWindow, useMarkers } from "./useMarkers";

export const ENABLED_KEY = "cityeye.danmaku";

function storedEnabled(): boolean {
  try {
    return globalThis.localStorage.getItem(ENABLED_KEY) !== "off";
  } catch {
    return true;
  }
}

export interface Danmaku {
  api: MarkersApi;
  feed: MarkersState;
  filter: MarkerFilter;
  setFilter: (f: MarkerFilter) => void;
  enabled: boolean;
  setEnabled: (on: boolean) => void;
  /** Posts a marker at moment `ts` (epoch s); the server's 422/429 errors are thrown. */
  post: (draft: Draft, ts: number) => Promise<void>;
}

export function useDanmaku(cameraId: string, window: MarkerWindow): Danmaku {
  const client = useApi();
  const { user } = useAuth();
  const api = useMemo(() => new MarkersApi(client), [client]);
  const feed = useMarkers(api, cameraId, window, user?.role === "admin");
  const [filter, setFilter] = useState<MarkerFilter>(ALL_MARKERS);
  const [enabled, setEnabledState] = useState(storedEnabled);
  const setEnabled = useCallback((on: boolean) => {
    setEnabledState(on);
    try {
      globalThis.localStorage.setItem(ENABLED_KEY, on ? "on" : "off");
    } catch {
      // storage unavailable (private mode): the choice lasts for this page only
    }
  }, []);
  const { apply } = feed;
  const post = useCallback(async (draft: Draft, ts: number) => {
    const marker = await api.create({ camera_id: cameraId, ts: Math.round(ts * 1000) / 1000,
      x: draft.x, y: draft.y, text: draft.text, kind: draft.kind, tier: draft.tier });
    apply(marker);
  }, [api, apply, cameraId]);
  return { api, feed, filter, setFilter, enabled, setEnabled, post };
}
