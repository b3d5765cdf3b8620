import { act, cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiClient, ApiError } from "../api";
import { WallPage } from "../pages/WallPage";
import { jsonResponse, makeCamera, renderWith } from "../test/harness";
import { backoffMs, LiveController, type PlayerState } from "./controller";

beforeEach(() => localStorage.clear());
afterEach(cleanup);

const CAMERAS = ["a", "b", "c", "d", "e"].map((id, i) =>
  makeCamera({ id, name: `摄像机 ${id}`, unit_id: i % 2 ? "u2" : "u1",
    unit_name: i % 2 ? "华阳路街道" : "江苏路街道" }),
);

function wallHandler(path: string): Response | undefined {
  if (path === "/api/auth/me")
    return jsonResponse(200, { username: "li", display_name: "李", role: "patroller",
      unit_id: "u1", unit_name: "江苏路街道" });
  if (path === "/api/cameras") return jsonResponse(200, CAMERAS);
  if (path.endsWith("/live.mjpeg"))
    return jsonResponse(503, { detail: "camera a is offline: connection refused by 10.0.0.5:554" });
  if (path.endsWith("/snapshot.jpg")) return jsonResponse(503, { detail: "no frame" });
  return undefined;
}

describe("video wall", () => {
  it("shows 4 tiles, switches layouts and says when a camera is offline", async () => {
    renderWith(<WallPage />, wallHandler, { token: "t" });
    const ids = () => screen.getAllByTestId("wall-tile").map((t) => t.dataset.cameraId);
    await waitFor(() => expect(ids()).toEqual(["a", "b", "c", "d"]));
    expect(screen.getByTestId("wall-layout-4").getAttribute("aria-pressed")).toBe("true");
    // no WebRTC in this test browser: the players use the HTTP fallback, which says offline
    await waitFor(() => expect(screen.getAllByTestId("live-message")[0].textContent)
      .toContain("摄像头离线"));
    expect(screen.getAllByTestId("live-message")[0].textContent).toContain("connection refused");
    fireEvent.click(screen.getByTestId("wall-layout-9"));
    expect(screen.getAllByTestId("wall-tile")).toHaveLength(9);
    expect(screen.getAllByTestId("wall-tile")[4].dataset.cameraId).toBe("e");
    fireEvent.click(screen.getByTestId("wall-layout-1"));
    expect(screen.getAllByTestId("wall-tile")).toHaveLength(1);
    expect(JSON.parse(localStorage.getItem("cityeye.wall") ?? "{}").layout).toBe(1);
  });

  it("puts a dragged camera on the tile it is dropped on", async () => {
    renderWith(<WallPage />, wallHandler, { token: "t" });
    await waitFor(() => expect(screen.getAllByTestId("wall-tile")[0].dataset.cameraId).toBe("a"));
    const store = new Map<string, string>();
    const dataTransfer = {
      setData: (k: string, v: string) => void store.set(k, v),
      getData: (k: string) => store.get(k) ?? "",
      effectAllowed: "all",
    };
    const card = screen.getAllByTestId("wall-camera").find((c) => c.dataset.cameraId === "e");
    expect(card).toBeTruthy();
    fireEvent.dragStart(card as HTMLElement, { dataTransfer });
    fireEvent.drop(screen.getAllByTestId("wall-tile")[1], { dataTransfer });
    expect(screen.getAllByTestId("wall-tile").map((t) => t.dataset.cameraId))
      .toEqual(["a", "e", "c", "d"]);
  });

  it("fills the tiles with a street's cameras when a group is chosen", async () => {
    renderWith(<WallPage />, wallHandler, { token: "t" });
    await waitFor(() => expect(screen.getAllByTestId("wall-tile")[0].dataset.cameraId).toBe("a"));
    fireEvent.change(screen.getByTestId("wall-group"), { target: { value: "unit:u2" } });
    expect(screen.getAllByTestId("wall-tile").map((t) => t.dataset.cameraId))
      .toEqual(["b", "d", "", ""]);
    fireEvent.change(screen.getByTestId("wall-group-name"), { target: { value: "夜班" } });
    fireEvent.click(screen.getByTestId("wall-save-group"));
    expect((screen.getByTestId("wall-group") as HTMLSelectElement).value).toBe("custom:夜班");
  });
});

describe("live controller", () => {
  it("backs off 1, 2, 4 … 10 s", () => {
    expect([0, 1, 2, 3, 4, 9].map(backoffMs)).toEqual([1000, 2000, 4000, 8000, 10000, 10000]);
  });

  it("retries an offline camera and stops for good on 404", async () => {
    vi.useFakeTimers();
    try {
      let calls = 0;
      let status = 503;
      const api = new ApiClient({
        fetchFn: async () => {
          calls += 1;
          return jsonResponse(status, { detail: status === 503 ? "camera x is offline: gone" : "no" });
        },
        storage: { getItem: () => "tok", setItem: () => undefined, removeItem: () => undefined },
      });
      const states: PlayerState[] = [];
      const controller = new LiveController({
        api, cameraId: "x", video: document.createElement("video"),
        picture: document.createElement("canvas"), syncDelayMs: null,
        onState: (s) => states.push(s), onOverlay: () => undefined, onStats: () => undefined,
        onFrame: () => undefined,
      });
      controller.start();
      await act(async () => {
        await vi.advanceTimersByTimeAsync(10);
      });
      expect(states.at(-1)).toEqual({ kind: "offline", reason: "camera x is offline: gone" });
      status = 404;
      await act(async () => {
        await vi.advanceTimersByTimeAsync(5000);
      });
      expect(calls).toBe(2);
      expect(states.at(-1)?.kind).toBe("error");
      await act(async () => {
        await vi.advanceTimersByTimeAsync(30_000);
      });
      expect(calls).toBe(2);
      controller.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("WHEP requests", () => {
  it("posts the offer as application/sdp and returns the answer and Location", async () => {
    const fetchFn = vi.fn(async () => new Response("v=0 answer", {
      status: 201, headers: { "Content-Type": "application/sdp",
        Location: "/api/cameras/a/whep/abc" } }));
    const api = new ApiClient({ fetchFn, storage: { getItem: () => "tok",
      setItem: () => undefined, removeItem: () => undefined } });
    const answer = await api.whepOffer("a", "v=0 offer");
    expect(answer).toEqual({ sdp: "v=0 answer", location: "/api/cameras/a/whep/abc" });
    const [url, init] = fetchFn.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/cameras/a/whep");
    const headers = init.headers as Record<string, string>;
    expect(headers["Content-Type"]).toBe("application/sdp");
    expect(headers.Authorization).toBe("Bearer tok");
    expect(init.body).toBe("v=0 offer");
  });

  it("reports why a camera cannot be watched", async () => {
    const api = new ApiClient({
      fetchFn: async () => jsonResponse(503, { detail: "camera a is offline: timeout" }),
      storage: { getItem: () => null, setItem: () => undefined, removeItem: () => undefined },
    });
    const err = await api.whepOffer("a", "v=0").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).lines).toEqual(["camera a is offline: timeout"]);
  });
});
