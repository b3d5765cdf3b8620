import { describe, expect, it } from "vitest";
import type { OverlayMessage } from "./types";
import { FpsMeter, LatencyMeter, OverlayStore, RTP_MOD, rtpDiff, ticksOfRtp, wrap32 } from "./sync";

function overlay(ticks: number, boxes = 1): OverlayMessage {
  return {
    type: "overlay",
    ticks,
    camera_id: "c",
    pts: ticks / 90000,
    boxes: Array.from({ length: boxes }, () => ({
      x1: 0.1, y1: 0.1, x2: 0.2, y2: 0.2, label: "person", score: 0.9, track_id: 1,
    })),
    zones: [],
    lines: [],
    rules: [],
  };
}

describe("RTP arithmetic", () => {
  it("wraps and measures signed distances on the 32-bit circle", () => {
    expect(wrap32(-1)).toBe(RTP_MOD - 1);
    expect(rtpDiff(5, RTP_MOD - 5)).toBe(10);
    expect(rtpDiff(RTP_MOD - 5, 5)).toBe(-10);
    expect(ticksOfRtp(100, RTP_MOD - 50)).toBe(150);
  });
});

describe("OverlayStore", () => {
  it("matches a frame to its own overlay exactly", () => {
    const store = new OverlayStore();
    store.add(overlay(3000));
    store.add(overlay(21000, 2));
    expect(store.match(21000)).toEqual({ overlay: overlay(21000, 2), exact: true });
  });

  it("holds the newest older overlay between analysed frames, within a second", () => {
    const store = new OverlayStore();
    store.add(overlay(9000));
    store.add(overlay(3000)); // out of order arrival
    expect(store.match(12000)?.overlay.ticks).toBe(9000);
    expect(store.match(12000)?.exact).toBe(false);
    expect(store.match(2000)).toBeNull(); // older than every overlay
    expect(store.match(9000 + 90001)).toBeNull(); // too old to hold
  });

  it("keys overlays modulo 2^32 like RTP timestamps", () => {
    const store = new OverlayStore();
    const big = RTP_MOD + 4500; // pts past 13 h wrap on the RTP clock
    store.add(overlay(big));
    expect(store.match(4500)?.exact).toBe(true);
  });

  it("keeps only the newest overlays", () => {
    const store = new OverlayStore(3);
    for (let i = 1; i <= 5; i += 1) store.add(overlay(i * 3000));
    expect(store.size).toBe(3);
    expect(store.match(3000)).toBeNull();
  });
});

describe("LatencyMeter", () => {
  it("turns a displayed frame's ticks into ingest-to-display latency", () => {
    const meter = new LatencyMeter();
    expect(meter.frame(0, 0)).toBeNull();
    // server clock runs 5 s ahead of ours; ping took 20 ms both ways
    meter.pong(1_000_000, 1005.01, 1_000_020);
    meter.setClock({ type: "clock", origin: 7, ticks: 90000, captured_at: 1000, server_time: 1000 });
    // frame 0.5 s after the reference, captured at 1000.5 s server time, shown at 995.6 local
    expect(meter.frame(135000, 995_600)).toBeCloseTo(100, 5);
    expect(meter.origin).toBe(7);
    expect(meter.median()).toBeCloseTo(100, 5);
  });
});

describe("FpsMeter", () => {
  it("counts frames per second over the last two seconds", () => {
    const fps = new FpsMeter();
    for (let i = 0; i <= 50; i += 1) fps.tick(i * 40);
    expect(fps.fps(2000)).toBeCloseTo(25, 0);
    expect(fps.fps(10_000)).toBe(0);
  });
});
