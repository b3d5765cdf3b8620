import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import {
  defaultSocketFactory as defaultFactory,
  type FeedStatus,
  openFeed,
  type SocketFactory,
} from "../feedSocket";
import type { MarkersApi } from "./markersApi";
import { applyMessage, type MarkerMap, mergeMarkers, sortedMarkers } from "./store";
import type { DroppedMessage, Marker, MarkerMessage } from "./types";

export type { FeedStatus, FeedSocket as MarkerSocket, SocketFactory } from "../feedSocket";

export interface MarkerWindow {
  /** Epoch seconds; undefined = open. */
  since?: number;
  until?: number;
}

export interface MarkersState {
  markers: Marker[];
  status: FeedStatus;
  loadError: unknown;
  /** Merge a marker the server returned for our own POST/PATCH. */
  apply: (m: Marker) => void;
  /** Forget a marker we deleted. */
  forget: (id: number) => void;
}

/**
 * A camera's markers: GET /api/markers for the window, kept current by
 * WS /api/markers/ws?camera_id= (opened first, then the list is loaded, so nothing falls in
 * between; reconnects with backoff and reloads after each reconnect).
 */
export function useMarkers(
  api: MarkersApi,
  cameraId: string,
  window: MarkerWindow,
  showHidden = false,
  factory: SocketFactory = defaultFactory,
): MarkersState {
  const [map, setMap] = useState<MarkerMap>(new Map());
  const [status, setStatus] = useState<FeedStatus>("connecting");
  const [loadError, setLoadError] = useState<unknown>(null);
  const hiddenRef = useRef(showHidden);
  useLayoutEffect(() => {
    hiddenRef.current = showHidden;
  });
  const { since, until } = window;

  useEffect(() => {
    let closed = false;
    const controller = new AbortController();
    setMap(new Map());

    const load = async (): Promise<void> => {
      try {
        const list = await api.list({ camera_id: cameraId, since, until }, controller.signal);
        if (closed) return;
        setMap((m) => mergeMarkers(m, list, hiddenRef.current));
        setLoadError(null);
      } catch (err) {
        if (!closed) setLoadError(err);
      }
    };

    const stop = openFeed({
      url: () => api.socketUrl(cameraId),
      factory,
      load: () => void load(),
      loadWithoutSocket: true,
      onStatus: setStatus,
      onMessage: (data) => {
        const msg = data as MarkerMessage | DroppedMessage;
        if (msg.type === "dropped") {
          void load(); // this client fell behind and lost messages: reload the window
          return;
        }
        if (msg.type !== "marker" || !msg.marker || msg.marker.camera_id !== cameraId) return;
        setMap((m) => applyMessage(m, msg, hiddenRef.current));
      },
    });
    return () => {
      closed = true;
      controller.abort();
      stop();
    };
  }, [api, cameraId, since, until, factory]);

  const apply = useCallback(
    (m: Marker) => setMap((cur) => mergeMarkers(cur, [m], hiddenRef.current)), []);
  const forget = useCallback((id: number) => setMap((cur) => {
    const out = new Map(cur);
    out.delete(id);
    return out;
  }), []);
  const markers = useMemo(() => sortedMarkers(map), [map]);
  return { markers, status, loadError, apply, forget };
}
