import { describe, expect, it } from "vitest";
import { explainServerLine, splitServerLines } from "./serverErrors";

const sent = {
  zones: [{ id: "hall", name: "大厅", polygon: [], restricted: false }],
  lines: [{ id: "door", name: "正门", a: [0, 0] as [number, number], b: [1, 1] as [number, number], in_name: "进", out_name: "出" }],
  rules: {},
};

describe("server refusals", () => {
  it("names the zone a pydantic location points at", () => {
    expect(explainServerLine("zones.0.polygon: Value error, the polygon is self-intersecting", sent)).toEqual({
      kind: "zone",
      name: "大厅",
      field: "polygon",
      message: "the polygon is self-intersecting",
    });
  });

  it("reads the registry's own format and lines without a location", () => {
    expect(explainServerLine("camera: lines[0]: Value error, a line needs two distinct end points", sent)).toMatchObject({
      kind: "line",
      name: "正门",
      message: "a line needs two distinct end points",
    });
    expect(explainServerLine("rule 'loitering' refers to zone 'nope'", sent)).toEqual({
      kind: null,
      name: null,
      field: null,
      message: "rule 'loitering' refers to zone 'nope'",
    });
  });

  it("splits multi-line details", () => {
    expect(splitServerLines(["a\nb", "", "c"])).toEqual(["a", "b", "c"]);
  });
});
