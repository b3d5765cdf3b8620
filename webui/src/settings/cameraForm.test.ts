import { describe, expect, it } from "vitest";
import { makeCamera } from "../test/harness";
import { cameraChanges, draftOf, maskUrl, unitOptions } from "./cameraForm";

const camera = makeCamera({
  id: "nanjing-rd-01",
  name: "南京东路 1 号",
  url: "rtsp://admin:secret@10.0.0.5/stream1",
});

describe("camera edit form", () => {
  it("sends nothing when nothing changed", () => {
    expect(cameraChanges(camera, draftOf(camera))).toEqual({});
  });

  it("sends only the changed fields", () => {
    const draft = { ...draftOf(camera), name: "新名称", enabled: false, analysis_fps: "2.5" };
    expect(cameraChanges(camera, draft)).toEqual({ name: "新名称", enabled: false, analysis_fps: 2.5 });
  });

  it("sends a moved camera's unit as `unit`, the API's field", () => {
    const draft = { ...draftOf(camera), unit_id: "huayanglu" };
    expect(cameraChanges(camera, draft)).toEqual({ unit: "huayanglu" });
  });

  it("hides passwords in source URLs", () => {
    expect(maskUrl(camera.url)).toBe("rtsp://admin:***@10.0.0.5/stream1");
    expect(maskUrl("rtsp://10.0.0.5/stream1")).toBe("rtsp://10.0.0.5/stream1");
    expect(maskUrl("/data/video.mp4")).toBe("/data/video.mp4");
  });

  it("orders units as a tree with depth", () => {
    const options = unitOptions([
      { id: "s2", name: "外滩街道", parent_id: "d", in_scope: true },
      { id: "d", name: "黄浦区", parent_id: null, in_scope: true },
      { id: "s1", name: "南京东路街道", parent_id: "d", in_scope: true },
      { id: "orphan", name: "其他", parent_id: "missing", in_scope: true },
    ]);
    expect(options.map((o) => [o.id, o.depth])).toEqual(
      expect.arrayContaining([
        ["d", 0],
        ["s1", 1],
        ["s2", 1],
        ["orphan", 0],
      ]),
    );
    const ids = options.map((o) => o.id);
    expect(ids.indexOf("d")).toBeLessThan(ids.indexOf("s1"));
    expect(ids.indexOf("d")).toBeLessThan(ids.indexOf("s2"));
  });

  it("survives a parent cycle", () => {
    const options = unitOptions([
      { id: "a", name: "A", parent_id: "b", in_scope: true },
      { id: "b", name: "B", parent_id: "a", in_scope: true },
    ]);
    expect(options.map((o) => o.id).sort()).toEqual(["a", "b"]);
  });
});
