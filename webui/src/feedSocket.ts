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
