import { describe, expect, it } from "vitest";
import { asNumber, cropTransform, nearCluster, planBounds, stepPtz } from "./view";

describe("AR view helpers", () => {
  it("turns a digital PTZ crop into a CSS transform", () => {
    expect(cropTransform(null)).toBe("none");
    expect(cropTransform([0.25, 0.25, 0.5, 0.5])).toBe("scale(2, 2) translate(-25%, -25%)");
  });

  it("steps a digital PTZ inside the frame and a mechanical one in degrees", () => {
    const d = stepPtz("digital", { pan: 0.95, tilt: 0.5, zoom: 1 }, "right");
    expect(d.pan).toBe(1);
    expect(stepPtz("digital", d, "in").zoom).toBe(1.5);
    expect(stepPtz("mechanical", { pan: 0, tilt: 0, zoom: 1 }, "left").pan).toBe(-5);
  });

  it("frames the plan with north up", () => {
    expect(planBounds([[0, 0], [100, 50]], 10)).toEqual(
      { minX: -10, minY: -60, width: 120, height: 70 });
  });

  it("finds the street close-up among far-away points", () => {
    expect(nearCluster([[0, 0], [5, 5], [3, -2], [500, 500]], 20)).toEqual(
      [[0, 0], [5, 5], [3, -2]]);
  });

  it("sends form numbers as numbers, and anything else as typed for the API to explain", () => {
    expect(asNumber(" 12.5 ")).toBe(12.5);
    expect(asNumber("-3")).toBe(-3);
    expect(asNumber("")).toBeNull();
    expect(asNumber("12m")).toBe("12m");
  });
});
