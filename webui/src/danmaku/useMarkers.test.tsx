import { act, cleanup, renderHook } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiClient } from "../api";
import { jsonResponse } from "../test/harness";
import { MarkersApi } from "./markersApi";
import type { Marker } from "./types";
import { type MarkerSocket, useMarkers } from "./useMarkers";

afterEach(cleanup);

class FakeSocket implements MarkerSocket {
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {}
  close(): void {
    this.closed = true;
  }
}

const M: Marker = { id: 7, camera_id: "cam-1", ts: 100, x: null, y: null, text: "注意", kind: "note",
  tier: null, author: null, rule: null, event_id: null, created_at: "2026-11-21T02:00:00Z",
  updated_at: "2026-11-21T02:00:00Z", hidden: false };

describe("useMarkers", () => {
  it("loads after the socket opens, applies messages and reconnects", async () => {
    vi.useFakeTimers();
    const storage = new Map<string, string>([["cityeye.token", "tok"]]);
    const lists: string[] = [];
    const client = new ApiClient({
      storage: { getItem: (k) => storage.get(k) ?? null, setItem: () => undefined, removeItem: () => undefined },
      fetchFn: async (path) => { lists.push(path); return jsonResponse(200, [M]); },
    });
    const api = new MarkersApi(client);
    const sockets: FakeSocket[] = [];
    const factory = (url: string) => { const s = new FakeSocket(url); sockets.push(s); return s; };
    const window = { since: 50 };
    const { result, unmount } = renderHook(() => useMarkers(api, "cam-1", window, false, factory));
    expect(sockets).toHaveLength(1);
    expect(sockets[0].url).toContain("/api/markers/ws?camera_id=cam-1&token=tok");
    await act(async () => { sockets[0].onopen?.(new Event("open")); await vi.runAllTicks(); });
    await act(async () => { await Promise.resolve(); });
    expect(lists[0]).toContain("/api/markers?camera_id=cam-1&since=50");
    expect(result.current.status).toBe("live");
    expect(result.current.markers.map((m) => m.id)).toEqual([7]);
    act(() => {
      sockets[0].onmessage?.(new MessageEvent("message", { data: JSON.stringify({ type: "marker",
        op: "created", marker: { ...M, id: 8, ts: 90 } }) }));
    });
    expect(result.current.markers.map((m) => m.id)).toEqual([8, 7]);
    act(() => {
      sockets[0].onmessage?.(new MessageEvent("message", { data: JSON.stringify({ type: "marker",
        op: "deleted", marker: M }) }));
    });
    expect(result.current.markers.map((m) => m.id)).toEqual([8]);
    // the server says this client fell behind: the window is loaded again
    const before = lists.length;
    await act(async () => {
      sockets[0].onmessage?.(new MessageEvent("message", { data: JSON.stringify({ type: "dropped",
        dropped: 3 }) }));
      await Promise.resolve();
    });
    expect(lists.length).toBe(before + 1);
    expect(lists[before]).toContain("/api/markers?camera_id=cam-1&since=50");
    act(() => sockets[0].onclose?.(new CloseEvent("close")));
    expect(result.current.status).toBe("offline");
    act(() => { vi.advanceTimersByTime(1000); });
    expect(sockets).toHaveLength(2);
    unmount();
    expect(sockets[1].closed).toBe(true);
    vi.useRealTimers();
  });
});
