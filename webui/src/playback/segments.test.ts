import { describe, expect, it } from "vitest";
import type { Segment } from "./recordingApi";
import { canPlayCodec, coverageOf, nextIndex, resolveSeek, segmentEnd, wallClock } from "./segments";

function seg(id: number, start: number, end: number | null, duration: number | null = null): Segment {
  return { id, camera_id: "cam", start, end, duration, bytes: 1, width: 640, height: 360,
    codec: "h264", url: `/api/recordings/cam/segments/${id}/video` };
}

const SEGS = [seg(1, 1000, 1060), seg(2, 1060, 1120), seg(3, 1200, 1260), seg(4, 1260, null, 12)];

describe("resolveSeek", () => {
  it("finds the segment and offset of a recorded moment", () => {
    expect(resolveSeek(SEGS, 1030)).toEqual({ index: 0, offset: 30, at: 1030 });
    expect(resolveSeek(SEGS, 1060)).toEqual({ index: 1, offset: 0, at: 1060 });
    expect(resolveSeek(SEGS, 1119.5)).toEqual({ index: 1, offset: 59.5, at: 1119.5 });
  });

  it("goes to the next segment's start from a gap or before the first", () => {
    expect(resolveSeek(SEGS, 1150)).toEqual({ index: 2, offset: 0, at: 1200 });
    expect(resolveSeek(SEGS, 10)).toEqual({ index: 0, offset: 0, at: 1000 });
  });

  it("uses the duration of the open segment and gives up after the last", () => {
    expect(segmentEnd(SEGS[3])).toBe(1272);
    expect(resolveSeek(SEGS, 1271)).toEqual({ index: 3, offset: 11, at: 1271 });
    expect(resolveSeek(SEGS, 1272)).toBeNull();
    expect(resolveSeek([], 5)).toBeNull();
  });

  it("maps the video's currentTime back to wall clock (round trip)", () => {
    const target = resolveSeek(SEGS, 1234.25);
    expect(target).not.toBeNull();
    if (!target) return;
    expect(wallClock(SEGS[target.index], target.offset)).toBe(1234.25);
  });

  it("continues with the next segment and stops at the end", () => {
    expect(nextIndex(SEGS, 0)).toBe(1);
    expect(nextIndex(SEGS, 3)).toBeNull();
  });

  it("merges touching segments into coverage spans", () => {
    expect(coverageOf(SEGS)).toEqual([[1000, 1120], [1200, 1272]]);
  });
});

describe("canPlayCodec", () => {
  it("plays H.264 always and H.265 only where the browser says it can", () => {
    const none = () => "";
    const hevc = (mime: string) => (mime.includes("hev1") ? "probably" : "");
    expect(canPlayCodec("h264", none)).toBe(true);
    expect(canPlayCodec(null, none)).toBe(true);
    expect(canPlayCodec("hevc", none)).toBe(false);
    expect(canPlayCodec("hevc", hevc)).toBe(true);
    expect(canPlayCodec("mjpeg", hevc)).toBe(false);
  });
});
