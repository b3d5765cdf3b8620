import { useCallback, useEffect, useRef } from "react";
import type { PlayerStats } from "./LivePlayer";

/** Markers shown on a live view: those of the last ten minutes, then what arrives. */
export const LIVE_MARKER_WINDOW_S = 600;

/** The moment on screen in a live view (epoch s): now, less the player's measured
 * capture-to-display latency, so a marker posted from the picture lands on that picture. */
export function useLiveClock(stats: PlayerStats | null): () => number {
  const latencyRef = useRef(0);
  useEffect(() => {
    latencyRef.current = stats?.latencyMs ?? 0;
  }, [stats]);
  return useCallback(() => Date.now() / 1000 - latencyRef.current / 1000, []);
}
