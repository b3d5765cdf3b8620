import { describe, expect, it } from "vitest";
import type { Point } from "../../types";
import {
  centroid,
  hitPoint,
  inNormal,
  lineTooShort,
  polygonArea,
  polygonProblem,
  segmentsIntersect,
  selfIntersection,
  sideOf,
  toNormalised,
} from "./geometry";

const square: Point[] = [
  [0.2, 0.2],
  [0.8, 0.2],
  [0.8, 0.8],
  [0.2, 0.8],
];
const bowtie: Point[] = [
  [0.2, 0.2],
  [0.8, 0.8],
  [0.8, 0.2],
  [0.2, 0.8],
];

describe("normalising pointer positions", () => {
  const rect = { left: 100, top: 50, width: 800, height: 450 };

  it("maps the element's corners to 0 and 1", () => {
    expect(toNormalised(100, 50, rect)).toEqual([0, 0]);
    expect(toNormalised(900, 500, rect)).toEqual([1, 1]);
    expect(toNormalised(500, 275, rect)).toEqual([0.5, 0.5]);
  });

  it("clamps positions outside the frame and rounds to 4 digits", () => {
    expect(toNormalised(50, 600, rect)).toEqual([0, 1]);
    expect(toNormalised(100 + 800 / 3, 50, rect)).toEqual([0.3333, 0]);
  });

  it("gives the origin for an element with no size", () => {
    expect(toNormalised(10, 10, { left: 0, top: 0, width: 0, height: 0 })).toEqual([0, 0]);
  });
});

describe("polygon checks (as the server makes them)", () => {
  it("accepts a simple polygon", () => {
    expect(polygonProblem(square)).toBeNull();
    expect(selfIntersection(square)).toBeNull();
    expect(polygonArea(square)).toBeCloseTo(0.36);
  });

  it("refuses fewer than 3 points", () => {
    expect(polygonProblem(square.slice(0, 2))).toEqual({ code: "tooFewPoints", count: 2 });
  });

  it("names the crossing edges of a self-intersecting polygon", () => {
    expect(polygonProblem(bowtie)).toEqual({ code: "selfIntersecting", edges: [1, 3] });
  });

  it("refuses points outside 0–1", () => {
    expect(polygonProblem([[0, 0], [1.2, 0], [1, 1]])).toEqual({ code: "outsideFrame" });
  });

  it("refuses a polygon without area", () => {
    expect(polygonProblem([[0.1, 0.1], [0.5, 0.5], [0.9, 0.9]])).toEqual({ code: "noArea" });
  });

  it("sees touching and collinear-overlapping segments as intersecting", () => {
    expect(segmentsIntersect([0, 0], [1, 0], [0.5, 0], [0.5, 1])).toBe(true);
    expect(segmentsIntersect([0, 0], [0.6, 0], [0.4, 0], [1, 0])).toBe(true);
    expect(segmentsIntersect([0, 0], [0.4, 0], [0.6, 0], [1, 0])).toBe(false);
  });

  it("finds a crossing between the closing edge and another", () => {
    const poly: Point[] = [[0.1, 0.1], [0.9, 0.1], [0.9, 0.9], [0.5, 0.05], [0.1, 0.9]];
    expect(selfIntersection(poly)).not.toBeNull();
  });
});

describe("lines and hit tests", () => {
  it("puts the 'in' side on the right of a→b with y pointing down", () => {
    // a→b points right (east): its right-hand side is below on the screen.
    const [nx, ny] = inNormal([0.1, 0.5], [0.9, 0.5], 1600, 900);
    expect(nx).toBeCloseTo(0);
    expect(ny).toBeCloseTo(1);
    expect(sideOf([0.1, 0.5], [0.9, 0.5], [0.5, 0.8])).toBe(1);
    expect(sideOf([0.1, 0.5], [0.9, 0.5], [0.5, 0.2])).toBe(-1);
    // reversed, the same point is on the "out" side
    expect(sideOf([0.9, 0.5], [0.1, 0.5], [0.5, 0.8])).toBe(-1);
  });

  it("makes the arrow perpendicular on screen, not in normalised units", () => {
    const [nx, ny] = inNormal([0, 0], [1, 1], 1600, 900);
    // the screen direction of a→b is (1600, 900); the normal is orthogonal to it
    expect(nx * 1600 + ny * 900).toBeCloseTo(0);
    expect(Math.hypot(nx, ny)).toBeCloseTo(1);
  });

  it("knows a line whose ends coincide", () => {
    expect(lineTooShort([0.5, 0.5], [0.5, 0.5004])).toBe(true);
    expect(lineTooShort([0.1, 0.5], [0.9, 0.5])).toBe(false);
  });

  it("hits the nearest point within the tolerance in pixels", () => {
    expect(hitPoint(square, [0.205, 0.2], 10, 1000, 500)).toBe(0);
    expect(hitPoint(square, [0.5, 0.5], 10, 1000, 500)).toBe(-1);
    expect(centroid(square)).toEqual([0.5, 0.5]);
  });
});
