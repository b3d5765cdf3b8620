import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { addElement, arrowPath, curveControl, fromHistory, LOCAL_ORIGIN, pointsFor,
  readElements, removeElement } from "./model";

const STYLE = { color: "#ff0000", width: 3, fontSize: 18, curved: false };

describe("board model", () => {
  it("round-trips elements through the shared map", () => {
    const doc = new Y.Doc();
    const map = doc.getMap<unknown>("elements");
    addElement(doc, map, { ...STYLE, type: "text", points: [0.5, 0.5], text: "注意",
      heads: "end", author: "a", z: 1 }, "t1");
    expect(readElements(map)).toMatchObject([{ id: "t1", type: "text", text: "注意" }]);
  });

  it("undo only reverts local edits", () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    const ma = a.getMap<unknown>("elements");
    const mb = b.getMap<unknown>("elements");
    const undo = new Y.UndoManager(ma, { trackedOrigins: new Set([LOCAL_ORIGIN]) });
    addElement(a, ma, { ...STYLE, type: "rect", points: [0, 0, 1, 1], text: "", heads: "end",
      author: "a", z: 1 }, "mine");
    addElement(b, mb, { ...STYLE, type: "pin", points: [0.2, 0.2], text: "", heads: "end",
      author: "b", z: 2 }, "theirs");
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b), "remote");
    undo.undo();
    expect(readElements(ma).map((e) => e.id)).toEqual(["theirs"]);
    removeElement(a, ma, "theirs");
    expect(readElements(ma)).toEqual([]);
  });

  it("builds points for each tool and curved arrows", () => {
    const path = [{ x: 0, y: 0 }, { x: 0.5, y: 0.2 }, { x: 1, y: 0 }];
    expect(pointsFor("rect", path, false)).toEqual([0, 0, 1, 0]);
    expect(pointsFor("arrow", path, true)).toHaveLength(6);
    expect(pointsFor("freehand", path, false)).toHaveLength(6);
    expect(curveControl({ x: 0, y: 0 }, { x: 1, y: 0 })).toEqual({ x: 0.5, y: 0.25 });
    expect(arrowPath([{ x: 0, y: 0 }, { x: 1, y: 1 }])).toBe("M 0 0 L 1 1");
  });

  it("reads history payloads", () => {
    const out = fromHistory([{ id: "x", type: "text", points: [0.1, 0.1], text: "旧", font_size: 30 }]);
    expect(out[0]).toMatchObject({ id: "x", text: "旧", fontSize: 30 });
  });
});

describe("board api", () => {
  it("builds the y-websocket server URL and room from the page and token", async () => {
    const { ApiClient } = await import("../api");
    const { BoardApi } = await import("./boardApi");
    const store = new Map<string, string>([["cityeye.token", "tok"]]);
    const client = new ApiClient({ storage: { getItem: (k) => store.get(k) ?? null,
      setItem: (k, v) => void store.set(k, v), removeItem: (k) => void store.delete(k) } });
    expect(new BoardApi(client).socket("b1", { protocol: "https:", host: "x.cn" }))
      .toEqual({ server: "wss://x.cn/api/boards", room: "b1/ws", token: "tok" });
  });
});
