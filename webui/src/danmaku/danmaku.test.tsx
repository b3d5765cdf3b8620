import { act, cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { jsonResponse, renderWith } from "../test/harness";
import { DanmakuOverlay, DanmakuStage } from "./DanmakuOverlay";
import { Timeline } from "./Timeline";
import { applyMessage, mergeMarkers } from "./store";
import { ALL_MARKERS, type Marker } from "./types";

function marker(over: Partial<Marker> = {}): Marker {
  return { id: 1, camera_id: "cam-1", ts: 100, x: 0.5, y: 0.5, text: "人群聚集", kind: "note",
    tier: null, author: { username: "zhang.wei", display_name: "张伟" }, rule: null, event_id: null,
    created_at: "2026-11-21T02:00:00Z", updated_at: "2026-11-21T02:00:00Z", hidden: false, ...over };
}

const RECT = { x: 0, y: 0, w: 800, h: 450 };

afterEach(cleanup);

describe("DanmakuOverlay", () => {
  it("renders marker text as text, never as HTML", () => {
    const xss = marker({ text: "<script>alert(1)</script><img src=x onerror=alert(2)>" });
    const { container } = renderWith(
      <DanmakuOverlay markers={[xss]} filter={ALL_MARKERS} now={101} width={800} height={450}
        rect={RECT} highlight={null} />, () => undefined);
    expect(container.querySelector("script")).toBeNull();
    expect(container.querySelector("img")).toBeNull();
    expect(screen.getByTestId("danmaku-item").textContent).toContain("<script>alert(1)</script>");
    expect(screen.getByTestId("danmaku-pin").textContent).toContain("<img src=x");
  });

  it("scrolls a marker during its window and pins AI events with a pulsing dot", () => {
    const ai = marker({ id: 2, kind: "ai", author: null, tier: 4, text: "区域入侵" });
    renderWith(<DanmakuOverlay markers={[ai]} filter={ALL_MARKERS} now={102} width={800}
      height={450} rect={RECT} highlight={ai} />, () => undefined);
    const pin = screen.getByTestId("danmaku-pin");
    expect(pin.className).toContain("danmaku-pin-ai");
    expect(pin.style.left).toBe("400px");
    expect(screen.getByTestId("danmaku-highlight")).toBeTruthy();
    expect(screen.getByTestId("danmaku-item").style.transform).toBe("translateX(560.0px)");
  });

  it("applies the filters", () => {
    const ms = [marker(), marker({ id: 2, kind: "ai", author: null, tier: 3 })];
    renderWith(<DanmakuOverlay markers={ms} filter={{ ...ALL_MARKERS, kinds: new Set(["ai"]) }}
      now={101} width={800} height={450} rect={RECT} highlight={null} />, () => undefined);
    expect(screen.getAllByTestId("danmaku-item").map((e) => e.dataset.markerId)).toEqual(["2"]);
  });
});

describe("DanmakuStage composer", () => {
  it("posts on Enter and shows the server's 429 message", async () => {
    const posted: unknown[] = [];
    renderWith(
      <DanmakuStage markers={[]} filter={ALL_MARKERS} enabled clock={() => 500}
        onPost={async (draft, at) => {
          posted.push({ ...draft, at });
          if (posted.length > 1) {
            const { ApiError } = await import("../api");
            throw new ApiError(429, ["发送太频繁，请 8 秒后再试 / too many markers, retry in 8 s"]);
          }
        }}>
        <div style={{ width: 800, height: 450 }} />
      </DanmakuStage>, () => jsonResponse(401, {}));
    act(() => { fireEvent.keyDown(window, { key: "m" }); });
    fireEvent.change(screen.getByTestId("danmaku-input"), { target: { value: "  注意  " } });
    fireEvent.submit(screen.getByTestId("danmaku-composer"));
    await waitFor(() => expect(screen.queryByTestId("danmaku-composer")).toBeNull());
    expect(posted[0]).toEqual({ x: null, y: null, text: "注意", kind: "note", tier: null, at: 500 });
    fireEvent.click(screen.getByTestId("danmaku-mark"));
    fireEvent.change(screen.getByTestId("danmaku-input"), { target: { value: "again" } });
    fireEvent.submit(screen.getByTestId("danmaku-composer"));
    expect(await screen.findByTestId("danmaku-error")).toHaveProperty("textContent",
      "发送太频繁，请 8 秒后再试 / too many markers, retry in 8 s");
    expect(screen.getByTestId("danmaku-composer")).toBeTruthy();
  });
});

describe("marker store", () => {
  it("merges the feed: newer updates win, deletes and hidden markers leave", () => {
    let map = mergeMarkers(new Map(), [marker()], false);
    map = applyMessage(map, { type: "marker", op: "updated",
      marker: marker({ text: "已处理", updated_at: "2026-11-21T02:01:00Z" }) }, false);
    map = mergeMarkers(map, [marker({ text: "旧" })], false);
    expect(map.get(1)?.text).toBe("已处理");
    expect(applyMessage(map, { type: "marker", op: "updated",
      marker: marker({ hidden: true, updated_at: "2026-11-21T02:02:00Z" }) }, false).size).toBe(0);
    expect(applyMessage(map, { type: "marker", op: "deleted", marker: marker() }, false).size).toBe(0);
  });
});

describe("Timeline", () => {
  it("selects a marker from its tick without seeking the bar under it", () => {
    const seeks: number[] = [];
    const ticks: number[] = [];
    renderWith(<Timeline since={0} until={86400} coverage={[[3600, 7200]]}
      buckets={[{ start: 0, end: 900, events: 2, markers: 1 }]} markers={[marker({ ts: 43200 })]}
      playhead={43000} onSeek={(t) => seeks.push(t)} onTick={(m) => ticks.push(m.ts)} />,
    () => undefined);
    const tick = screen.getByTestId("timeline-tick");
    expect(tick.style.left).toBe("50.000%");
    fireEvent.click(tick);
    expect(ticks).toEqual([43200]);
    expect(seeks).toEqual([]);
    expect(screen.getByTestId("timeline-coverage").style.left).toBe("4.167%");
  });
});
