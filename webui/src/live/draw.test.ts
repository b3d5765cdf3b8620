import { describe, expect, it } from "vitest";
import { containRect, drawOverlay, heatColor, type Ctx2D, DEFAULT_LAYERS } from "./draw";
import type { OverlayMessage } from "./types";

/** A 2D context that records what was drawn. */
function recorder() {
  const calls: { op: string; args: unknown[]; style?: string }[] = [];
  const ctx = {
    strokeStyle: "",
    fillStyle: "",
    lineWidth: 1,
    font: "",
    globalAlpha: 1,
    textBaseline: "alphabetic",
  } as unknown as Ctx2D;
  const record = (op: string, style?: () => string) =>
    (...args: unknown[]) => void calls.push({ op, args, style: style?.() });
  Object.assign(ctx, {
    clearRect: record("clearRect"),
    strokeRect: record("strokeRect", () => String(ctx.strokeStyle)),
    fillRect: record("fillRect", () => String(ctx.fillStyle)),
    fillText: record("fillText"),
    beginPath: record("beginPath"),
    moveTo: record("moveTo"),
    lineTo: record("lineTo"),
    closePath: record("closePath"),
    stroke: record("stroke", () => String(ctx.strokeStyle)),
    fill: record("fill"),
    save: record("save"),
    restore: record("restore"),
    setLineDash: record("setLineDash"),
    arc: record("arc"),
    measureText: (text: string) => ({ width: text.length * 7 }),
  });
  return { ctx, calls };
}

const OVERLAY: OverlayMessage = {
  type: "overlay",
  ticks: 90000,
  camera_id: "c",
  pts: 1,
  people: 12,
  boxes: [{ x1: 0.1, y1: 0.2, x2: 0.3, y2: 0.6, label: "person", score: 0.87, track_id: 42 }],
  zones: [{ zone_id: "gate", count: 7, alert: true }],
  lines: [{ line_id: "l1", in_count: 5, out_count: 3 }],
  rules: [{ rule_id: "r", kind: "crowding", state: "open", tier: 1, message: "拥挤" }],
  heatmap: { width: 2, height: 1, cells: [0, 255] },
};

const GEOMETRY = {
  zones: [{ id: "gate", name: "入口", polygon: [[0, 0], [0.5, 0], [0.5, 0.5]] as [number, number][],
    restricted: false }],
  lines: [{ id: "l1", name: "闸机", a: [0.1, 0.9] as [number, number], b: [0.9, 0.9] as [number, number],
    in_name: "进", out_name: "出" }],
};

describe("drawOverlay", () => {
  it("draws boxes with track ids, zones and lines with counts, people and rules", () => {
    const { ctx, calls } = recorder();
    const boxes = drawOverlay(ctx, 1000, 500, {
      rect: { x: 0, y: 0, w: 1000, h: 500 },
      overlay: OVERLAY,
      heatmap: OVERLAY.heatmap ?? null,
      geometry: GEOMETRY,
      layers: DEFAULT_LAYERS,
      labels: { people: (n) => `人数 ${n}` },
    });
    expect(boxes).toBe(1);
    const rect = calls.find((c) => c.op === "strokeRect");
    expect((rect?.args as number[]).map(Math.round)).toEqual([100, 100, 200, 200]);
    const texts = calls.filter((c) => c.op === "fillText").map((c) => String(c.args[0]));
    expect(texts).toContain("#42 person 87%");
    expect(texts).toContain("入口 7");
    expect(texts).toContain("闸机 进 5 / 出 3");
    expect(texts).toContain("人数 12");
    expect(texts).toContain("拥挤");
    // heatmap is off by default
    expect(calls.filter((c) => c.op === "fillRect" && c.style?.startsWith("rgba(255"))).toHaveLength(0);
  });

  it("draws the heatmap only when its layer is on, and nothing without an overlay", () => {
    const { ctx, calls } = recorder();
    drawOverlay(ctx, 100, 100, {
      rect: { x: 0, y: 0, w: 100, h: 100 },
      overlay: null,
      heatmap: OVERLAY.heatmap ?? null,
      geometry: { zones: [], lines: [] },
      layers: { boxes: true, zones: true, heatmap: true, counts: true },
      labels: { people: (n) => String(n) },
    });
    const heat = calls.filter((c) => c.op === "fillRect");
    expect(heat).toHaveLength(1); // the 0 cell is skipped
    expect(heat[0].args).toEqual([50, 0, 50.5, 100.5]);
    expect(calls.some((c) => c.op === "strokeRect")).toBe(false);
  });

  it("letterboxes a 16:9 picture in a square", () => {
    expect(containRect(100, 100, 1920, 1080)).toEqual({ x: 0, y: 21.875, w: 100, h: 56.25 });
    expect(heatColor(255)).toBe("rgba(255, 0, 0, 0.650)");
  });
});
