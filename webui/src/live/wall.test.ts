import { describe, expect, it } from "vitest";
import { makeCamera } from "../test/harness";
import { assign, columns, fillTiles, groupsOf, loadWall, prune, saveWall, WALL_KEY } from "./wall";

describe("wall layout", () => {
  it("has square layouts", () => {
    expect([1, 4, 9, 16].map((n) => columns(n as 1 | 4 | 9 | 16))).toEqual([1, 2, 3, 4]);
  });

  it("groups cameras by street plus saved groups", () => {
    const cams = [
      makeCamera({ id: "a", unit_id: "u1", unit_name: "江苏路街道" }),
      makeCamera({ id: "b", unit_id: "u2", unit_name: "华阳路街道" }),
      makeCamera({ id: "c", unit_id: "u1", unit_name: "江苏路街道" }),
    ];
    const groups = groupsOf(cams, [{ name: "夜间", cameraIds: ["b"] }], "全部");
    expect(groups.map((g) => [g.id, g.cameraIds])).toEqual([
      ["all", ["a", "b", "c"]],
      ["unit:u2", ["b"]],
      ["unit:u1", ["a", "c"]],
      ["custom:夜间", ["b"]],
    ]);
  });

  it("drops a camera on a tile, swapping if it was shown elsewhere", () => {
    const tiles = fillTiles(["a", "b"]);
    expect(assign(tiles, 3, "c").slice(0, 4)).toEqual(["a", "b", null, "c"]);
    expect(assign(tiles, 0, "b").slice(0, 2)).toEqual(["b", "a"]);
    expect(prune(tiles, new Set(["b"])).slice(0, 2)).toEqual([null, "b"]);
  });

  it("remembers the wall and ignores a damaged record", () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v) };
    saveWall(storage, { layout: 9, group: "all", tiles: fillTiles(["x"]), custom: [] });
    expect(loadWall(storage)?.layout).toBe(9);
    expect(loadWall(storage)?.tiles[0]).toBe("x");
    store.set(WALL_KEY, "{bad json");
    expect(loadWall(storage)).toBeNull();
    store.set(WALL_KEY, JSON.stringify({ layout: 5, group: "all", tiles: [] }));
    expect(loadWall(storage)).toBeNull();
  });
});
