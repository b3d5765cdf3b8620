import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import {
  defaultSocketFactory as defaultFactory,
  type FeedStatus,
  openFeed,
  type SocketFactory,
} from "../feedSocket";
import type { DeskApi } from "./deskApi";
import { mergeAlerts, startOfDay } from "./queue";
import type { Alert, DeskMessage } from "./types";

export type { FeedStatus, FeedSocket as DeskSocket, SocketFactory } from "../feedSocket";

export interface DeskData {
  alerts: ReadonlyMap<string, Alert>;
  status: FeedStatus;
  loadError: unknown;
  /** Merge an alert the server returned for our own action. */
  apply: (alert: Alert) => void;
}

/**
 * The desk's alerts: today's and every open one from GET /api/alerts, kept current by
 * WS /api/ws/desk (opened first, then the list is loaded, so nothing falls in between;
 * reconnects with backoff and reloads after a reconnect or when messages were dropped).
 */
export function useDesk(
  desk: DeskApi,
  onMessage: (msg: DeskMessage) => void,
  factory: SocketFactory = defaultFactory,
): DeskData {
  const [alerts, setAlerts] = useState<ReadonlyMap<string, Alert>>(new Map());
  const [status, setStatus] = useState<FeedStatus>("connecting");
  const [loadError, setLoadError] = useState<unknown>(null);
  const onMessageRef = useRef(onMessage);
  useLayoutEffect(() => {
    onMessageRef.current = onMessage;
  });

  const apply = useCallback((alert: Alert) => setAlerts((m) => mergeAlerts(m, [alert])), []);

  useEffect(() => {
    let closed = false;
    const controller = new AbortController();

    const load = async (): Promise<void> => {
      try {
        const [open, today] = await Promise.all([
          desk.alerts({ active: true }, controller.signal),
          desk.alerts({ since: startOfDay(Date.now()) }, controller.signal),
        ]);
        if (closed) return;
        setAlerts((m) => mergeAlerts(m, [...open, ...today]));
        setLoadError(null);
      } catch (err) {
        if (!closed) setLoadError(err);
      }
    };

    const stop = openFeed({
      url: () => desk.socketUrl(),
      factory,
      load: () => void load(),
      onStatus: setStatus,
      onMessage: (data) => {
        const msg = data as DeskMessage;
        if (msg.type === "dropped") void load();
        else if (msg.alert) {
          const alert = msg.alert;
          setAlerts((m) => mergeAlerts(m, [alert]));
        }
        onMessageRef.current(msg);
      },
    });
    return () => {
      closed = true;
      controller.abort();
      stop();
    };
  }, [desk, factory]);

  return { alerts, status, loadError, apply };
}
