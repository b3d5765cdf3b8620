import { describe, expect, it } from "vitest";
import {
  blocker,
  buildRequest,
  calibrationWorse,
  errorChange,
  formatChange,
  parsePointsFile,
  togglePoint,
  totalPoints,
  type CalFrame,
} from "./densityState";

const frame = (points: [number, number][]): CalFrame => ({
  id: "f1",
  url: "blob:x",
  data: "AAAA",
  width: 640,
  height: 480,
  points,
});

describe("togglePoint", () => {
  it("adds a point where nothing is near and removes the nearest one on a second click", () => {
    const one = togglePoint([], 0.5, 0.5);
    expect(one).toEqual([[0.5, 0.5]]);
    const two = togglePoint(one, 0.2, 0.2);
    expect(two).toHaveLength(2);
    expect(togglePoint(two, 0.505, 0.498)).toEqual([[0.2, 0.2]]);
  });

  it("clamps clicks on the frame's edge into [0, 1]", () => {
    expect(togglePoint([], 1.002, -0.001)).toEqual([[1, 0]]);
  });
});

describe("parsePointsFile", () => {
  it("reads normalised JSON pairs as they are", () => {
    expect(parsePointsFile("[[0.1, 0.2], [0.5, 1]]", 640, 480)).toEqual([
      [0.1, 0.2],
      [0.5, 1],
    ]);
  });

  it("converts pixel coordinates by the frame size, from JSON objects and from CSV", () => {
    expect(parsePointsFile('{"points": [{"x": 320, "y": 240}]}', 640, 480)).toEqual([[0.5, 0.5]]);
    expect(parsePointsFile("x,y\n64,48\n640,480\n", 640, 480)).toEqual([
      [0.1, 0.1],
      [1, 1],
    ]);
  });

  it("rejects unreadable files and points outside the frame", () => {
    expect(() => parsePointsFile("{not json", 640, 480)).toThrow("format");
    expect(() => parsePointsFile('[["a", 2]]', 640, 480)).toThrow("format");
    expect(() => parsePointsFile("700,10", 640, 480)).toThrow("range");
  });
});

describe("the request and the result", () => {
  it("blocks calibration until there is a frame with heads", () => {
    expect(blocker([])).toBe("densityCal.needFrame");
    expect(blocker([frame([])])).toBe("densityCal.needPoints");
    expect(blocker([frame([[0.1, 0.1]])])).toBeNull();
  });

  it("sends every frame's image and points with a square grid", () => {
    const frames = [frame([[0.1, 0.1]]), frame([])];
    expect(totalPoints(frames)).toBe(1);
    expect(buildRequest(frames, 3)).toEqual({
      frames: [
        { image: "AAAA", points: [[0.1, 0.1]] },
        { image: "AAAA", points: [] },
      ],
      rows: 3,
      cols: 3,
    });
  });

  it("reports the relative change of the error", () => {
    const report = { frames: 5, points: 150, mae_before: 4, mae_after: 1, evaluated_on: "held-out", per_frame: [] };
    expect(errorChange(report)).toBeCloseTo(-0.75);
    expect(errorChange({ ...report, mae_before: 0 })).toBeNull();
  });

  it("signs the change and flags a calibration that made the error larger", () => {
    const report = { frames: 3, points: 113, mae_before: 1.25, mae_after: 1.6, evaluated_on: "held-out", per_frame: [] };
    expect(formatChange(errorChange(report) ?? 0)).toBe("+28");
    expect(formatChange(-0.75)).toBe("-75");
    expect(formatChange(0)).toBe("0");
    expect(calibrationWorse(report)).toBe(true);
    expect(calibrationWorse({ ...report, mae_after: 1.25 })).toBe(false);
    expect(calibrationWorse({ ...report, mae_after: 0.5 })).toBe(false);
  });
});
