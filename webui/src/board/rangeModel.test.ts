import { describe, expect, it } from "vitest";
import { clockText, dateClockText } from "../districtTime";
import { coverageBars, epochOf, locate, planRange, type RecordedSegment } from "./rangeModel";

function seg(id: number, start: number, end: number): RecordedSegment {
  return { id, camera_id: "cam", start, end, duration: end - start, bytes: 1, width: 640,
    height: 360, codec: "h264", open: false, url: `/api/recordings/cam/segments/${id}/video` };
}

describe("range board playback", () => {
  it("plans the segments' parts inside the range, in order, without overlap", () => {
    const pieces = planRange([seg(2, 110, 130), seg(1, 90, 110.5), seg(0, 10, 20)], 100, 120);
    expect(pieces.map((p) => [p.segment.id, p.from, p.to])).toEqual([[1, 100, 110.5], [2, 110.5, 120]]);
    expect(planRange([seg(0, 10, 20)], 100, 120)).toEqual([]);
  });

  it("locates a moment: inside a piece, in a gap (next recording), outside the range", () => {
    const pieces = planRange([seg(1, 95, 105), seg(2, 110, 130)], 100, 120);
    expect(locate(pieces, 102)).toEqual({ index: 0, offset: 7, at: 102 });
    expect(locate(pieces, 107)).toEqual({ index: 1, offset: 0, at: 110 });
    expect(locate(pieces, 50)).toEqual({ index: 0, offset: 5, at: 100 });
    expect(locate(pieces, 500)).toEqual({ index: 1, offset: 10, at: 120 });
    expect(locate([], 100)).toBeNull();
  });

  it("draws the recorded coverage as percentages of the range", () => {
    const pieces = planRange([seg(1, 95, 105), seg(2, 110, 130)], 100, 120);
    expect(coverageBars(pieces, 100, 120)).toEqual([[0, 25], [50, 50]]);
  });

  it("shows times in Asia/Shanghai whatever the browser's zone", () => {
    const t = Date.UTC(2026, 10, 20, 16, 0, 5) / 1000;  // 2026-11-21 00:00:05 in Shanghai
    expect(clockText(t)).toBe("00:00:05");
    expect(dateClockText(t)).toBe("2026-11-21 00:00:05");
    expect(epochOf("2026-11-20T16:00:05.250000+00:00")).toBeCloseTo(t + 0.25);
    expect(epochOf(null)).toBeNull();
  });
});
