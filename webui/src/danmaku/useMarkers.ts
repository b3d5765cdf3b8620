import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import {
  defaultSocketFactory as defaultFactory,
  type FeedSocket as MarkerSocket,
  type FeedStatus,
  RETRY_MS,
  type SocketFactory,
} from "../feedSocket";
import type { MarkersApi } from "./markersApi";
import { applyMessage, type MarkerMap, mergeMarkers, sortedMarkers } from "./store";
import type { Marker, MarkerMessage } from "./types";

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
    let socket: MarkerSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
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

    const connect = (): void => {
      const url = api.socketUrl(cameraId);
      if (closed) return;
      if (url === null) {
        void load();
        return;
      }
      setStatus("connecting");
      const ws = factory(url);
      socket = ws;
      ws.onopen = () => {
        failures = 0;
        setStatus("live");
        void load();
      };
      ws.onmessage = (ev: MessageEvent) => {
        let msg: MarkerMessage;
        try {
          msg = JSON.parse(String(ev.data)) as MarkerMessage;
        } catch {
          return;
        }
        if (msg.type !== "marker" || !msg.marker || msg.marker.camera_id !== cameraId) return;
        setMap((m) => applyMessage(m, msg, hiddenRef.current));
      };
      ws.onclose = () => {
        if (closed) return;
        setStatus("offline");
        const wait = RETRY_MS[Math.min(failures, RETRY_MS.length - 1)];
        failures += 1;
        timer = setTimeout(connect, wait);
      };
    };

    connect();
    return () => {
      closed = true;
      controller.abort();
      if (timer !== undefined) clearTimeout(timer);
      socket?.close();
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
