/**
 * What the live feeds (duty desk, markers) share: the WebSocket surface they use (tests pass a
 * fake), the default factory and the reconnect backoff.
 */
export type FeedStatus = "connecting" | "live" | "offline";

export interface FeedSocket {
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  close(): void;
}

export type SocketFactory = (url: string) => FeedSocket;

export const defaultSocketFactory: SocketFactory = (url) => new WebSocket(url);

/** Reconnect delays after the 1st, 2nd, … failure (the last one repeats). */
export const RETRY_MS = [1000, 2000, 4000, 8000, 10000];

export interface FeedOptions {
  /** The socket URL, or null when there is none (not logged in). */
  url: () => string | null;
  factory: SocketFactory;
  /** (Re)loads the list: after every (re)connect, so nothing sent while away is missed. */
  load: () => void;
  /** Also load once when there is no socket URL. */
  loadWithoutSocket?: boolean;
  /** Each message, parsed from JSON (frames that are not JSON are skipped). */
  onMessage: (msg: unknown) => void;
  onStatus: (status: FeedStatus) => void;
}

/** Opens a live feed that reconnects with backoff; returns the function that closes it. */
export function openFeed(o: FeedOptions): () => void {
  let closed = false;
  let socket: FeedSocket | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;

  const connect = (): void => {
    if (closed) return;
    const url = o.url();
    if (url === null) {
      if (o.loadWithoutSocket) o.load();
      return;
    }
    o.onStatus("connecting");
    const ws = o.factory(url);
    socket = ws;
    ws.onopen = () => {
      failures = 0;
      o.onStatus("live");
      o.load();
    };
    ws.onmessage = (ev: MessageEvent) => {
      let msg: unknown;
      try {
        msg = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      o.onMessage(msg);
    };
    ws.onclose = () => {
      if (closed) return;
      o.onStatus("offline");
      const wait = RETRY_MS[Math.min(failures, RETRY_MS.length - 1)];
      failures += 1;
      timer = setTimeout(connect, wait);
    };
  };

  connect();
  return () => {
    closed = true;
    if (timer !== undefined) clearTimeout(timer);
    socket?.close();
  };
}
