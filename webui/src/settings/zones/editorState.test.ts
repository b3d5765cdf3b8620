import { describe, expect, it } from "vitest";
import type { Line, Point, Zone } from "../../types";
import {
  editorReducer,
  emptyState,
  freeId,
  loadState,
  problems,
  toPatch,
  type Action,
  type EditorState,
} from "./editorState";

const zoneName = (n: number): string => `区域 ${n}`;
const lineName = (n: number): string => `计数线 ${n}`;

function run(state: EditorState, ...actions: Action[]): EditorState {
  return actions.reduce(editorReducer, state);
}

const click = (point: Point): Action => ({ type: "addPoint", point, lineName });

const hall: Zone = {
  id: "hall",
  name: "大厅",
  polygon: [[0, 0.3], [1, 0.3], [1, 1], [0, 1]],
  restricted: false,
};
const door: Line = { id: "door", name: "正门", a: [0.1, 0.6], b: [0.9, 0.6], in_name: "进", out_name: "出" };

describe("drawing", () => {
  it("draws a zone by clicks and closes it", () => {
    let s = run(emptyState, { type: "startZone" }, click([0.1, 0.1]), click([0.5, 0.1]));
    expect(s.mode).toEqual({ kind: "zone", points: [[0.1, 0.1], [0.5, 0.1]] });
    s = run(s, { type: "closeZone", zoneName }); // two points: not yet
    expect(s.zones).toHaveLength(0);
    s = run(s, click([0.3, 0.4]), { type: "closeZone", zoneName });
    expect(s.mode.kind).toBe("idle");
    expect(s.zones).toHaveLength(1);
    expect(s.zones[0]).toMatchObject({ id: "zone-1", name: "区域 1", restricted: false });
    expect(s.zones[0].polygon).toEqual([[0.1, 0.1], [0.5, 0.1], [0.3, 0.4]]);
    expect(s.selected).toEqual({ kind: "zone", key: s.zones[0].key });
    expect(s.dirty).toBe(true);
  });

  it("undoes the last point and cancels a drawing", () => {
    let s = run(emptyState, { type: "startZone" }, click([0.1, 0.1]), click([0.5, 0.1]), { type: "undoPoint" });
    expect(s.mode).toEqual({ kind: "zone", points: [[0.1, 0.1]] });
    s = run(s, { type: "cancelDraw" });
    expect(s.mode.kind).toBe("idle");
    expect(s.zones).toHaveLength(0);
  });

  it("draws a line with two clicks, with 进 / 出 by default", () => {
    let s = run(emptyState, { type: "startLine" }, click([0.2, 0.5]));
    expect(s.lines).toHaveLength(0);
    s = run(s, click([0.2, 0.5])); // the same point again: ignored
    expect(s.mode).toEqual({ kind: "line", a: [0.2, 0.5] });
    s = run(s, click([0.8, 0.5]));
    expect(s.lines[0]).toMatchObject({ id: "line-1", name: "计数线 1", a: [0.2, 0.5], b: [0.8, 0.5], in_name: "进", out_name: "出" });
    expect(s.mode.kind).toBe("idle");
  });

  it("ignores clicks while not drawing", () => {
    expect(run(emptyState, click([0.5, 0.5]))).toEqual(emptyState);
  });

  it("gives new zones the first free id", () => {
    expect(freeId("zone", ["zone-1", "zone-3"])).toEqual({ id: "zone-2", n: 2 });
  });
});

describe("editing", () => {
  const loaded = loadState([hall], [door], {});

  it("moves a zone's point and a line's end", () => {
    const z = loaded.zones[0].key;
    const l = loaded.lines[0].key;
    const s = run(
      loaded,
      { type: "movePoint", target: { kind: "zone", key: z, index: 0 }, point: [0.05, 0.25] },
      { type: "movePoint", target: { kind: "line", key: l, end: "b" }, point: [0.95, 0.65] },
    );
    expect(s.zones[0].polygon[0]).toEqual([0.05, 0.25]);
    expect(s.lines[0].b).toEqual([0.95, 0.65]);
    expect(loaded.zones[0].polygon[0]).toEqual([0, 0.3]); // the old state is untouched
  });

  it("swaps a line's direction by reversing it, keeping the names", () => {
    const s = run(loaded, { type: "swapLine", key: loaded.lines[0].key });
    expect(s.lines[0]).toMatchObject({ a: [0.9, 0.6], b: [0.1, 0.6], in_name: "进", out_name: "出" });
  });

  it("deletes zones and lines and clears the selection", () => {
    const key = loaded.zones[0].key;
    const s = run(loaded, { type: "select", selection: { kind: "zone", key } }, { type: "deleteZone", key });
    expect(s.zones).toHaveLength(0);
    expect(s.selected).toBeNull();
    expect(run(s, { type: "deleteLine", key: s.lines[0].key }).lines).toHaveLength(0);
  });

  it("renames, marks restricted and sets rules", () => {
    const key = loaded.zones[0].key;
    const s = run(
      loaded,
      { type: "updateZone", key, changes: { name: "候车厅", restricted: true } },
      { type: "setZoneRule", key, rule: "overcrowding", changes: { enabled: true, values: ["5", "10", "", ""] } },
    );
    expect(s.zones[0]).toMatchObject({ name: "候车厅", restricted: true });
    expect(toPatch(s).rules.overcrowding).toEqual([{ zone: "hall", thresholds: [5, 10], enabled: true }]);
  });
});

describe("checking and saving", () => {
  it("reports a self-intersecting zone and a bad id", () => {
    let s = run(emptyState, { type: "startZone" }, click([0.2, 0.2]), click([0.8, 0.8]), click([0.8, 0.2]), click([0.2, 0.8]), { type: "closeZone", zoneName });
    s = run(s, { type: "updateZone", key: s.zones[0].key, changes: { id: "bad id" } });
    const codes = problems(s).map((p) => p.code);
    expect(codes).toEqual(["idInvalid", "selfIntersecting"]);
    expect(problems(s)[1].params).toMatchObject({ i: 1, j: 3 });
  });

  it("reports duplicate ids, empty direction names and bad thresholds", () => {
    let s = loadState([hall, { ...hall, name: "二厅" }], [door], {});
    s = run(
      s,
      { type: "updateLine", key: s.lines[0].key, changes: { in_name: " " } },
      { type: "setLineRule", key: s.lines[0].key, changes: { enabled: true, values: ["60", "30"] } },
    );
    expect(problems(s).map((p) => p.code)).toEqual(["idTaken", "idTaken", "directionNameMissing", "thresholdsNotAscending"]);
  });

  it("builds the PATCH body from what was drawn", () => {
    const s = run(loadState([hall], [], {}), { type: "startLine" }, click([0.1, 0.5]), click([0.9, 0.5]));
    expect(problems(s)).toEqual([]);
    const body = toPatch(s);
    expect(body.zones).toEqual([hall]);
    expect(body.lines).toEqual([{ id: "line-1", name: "计数线 1", a: [0.1, 0.5], b: [0.9, 0.5], in_name: "进", out_name: "出" }]);
    expect(body.rules.line_crossing).toEqual([]);
  });

  it("loads a saved camera as clean", () => {
    const s = run(emptyState, { type: "load", zones: [hall], lines: [door], rules: {} });
    expect(s.dirty).toBe(false);
    expect(s.zones[0].originalId).toBe("hall");
  });
});
