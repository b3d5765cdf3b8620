import { describe, expect, it } from "vitest";
import { estimateTextWidth, type LaneItem, layoutLanes, type Placement, visibleAt } from "./lanes";

const OPTS = { width: 800, speed: 100, lanes: 3, cap: 10, gap: 20 };

/** Two placements in one lane overlap when their boxes share pixels at some moment. */
function overlapAt(a: Placement, b: Placement, t: number): boolean {
  if (t < a.start || t >= a.end || t < b.start || t >= b.end) return false;
  const ax = OPTS.width - OPTS.speed * (t - a.start);
  const bx = OPTS.width - OPTS.speed * (t - b.start);
  return ax < bx + b.width && bx < ax + a.width;
}

function randomItems(n: number, seed: number): LaneItem[] {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    start: Math.round(rnd() * 3000) / 100,
    width: 40 + Math.round(rnd() * 300),
  }));
}

describe("layoutLanes", () => {
  it("puts items that would collide in different lanes", () => {
    const out = layoutLanes(
      [{ id: 1, start: 0, width: 200 }, { id: 2, start: 0.5, width: 100 }], OPTS);
    expect(out.placed.map((p) => p.lane)).toEqual([0, 1]);
    expect(out.merged).toEqual([]);
  });

  it("reuses a lane once the previous tail plus the gap has left the right edge", () => {
    // item 1 is 200 px wide: its tail clears the edge + 20 px after 2.2 s
    const out = layoutLanes(
      [{ id: 1, start: 0, width: 200 }, { id: 2, start: 2.2, width: 50 }], OPTS);
    expect(out.placed.map((p) => p.lane)).toEqual([0, 0]);
    const early = layoutLanes(
      [{ id: 1, start: 0, width: 200 }, { id: 2, start: 2.1, width: 50 }], OPTS);
    expect(early.placed.map((p) => p.lane)).toEqual([0, 1]);
  });

  it("never overlaps two items in a lane (random inputs)", () => {
    for (const seed of [1, 7, 42, 99]) {
      const { placed } = layoutLanes(randomItems(80, seed), { ...OPTS, lanes: 5, cap: 50 });
      const clashes: string[] = [];
      for (const a of placed) {
        for (const b of placed) {
          if (a.id >= b.id || a.lane !== b.lane) continue;
          for (let t = 0; t < 45; t += 0.05) if (overlapAt(a, b, t)) clashes.push(`${a.id}/${b.id}@${t}`);
        }
      }
      expect(clashes).toEqual([]);
      expect(placed.length).toBeGreaterThan(20);
    }
  });

  it("merges what does not fit into +N and keeps at most `cap` on screen", () => {
    const items = Array.from({ length: 12 }, (_, i) => ({ id: i + 1, start: i * 0.1, width: 100 }));
    const out = layoutLanes(items, { ...OPTS, lanes: 8, cap: 4 });
    expect(out.placed).toHaveLength(4);
    expect(out.merged.map((m) => m.id)).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    for (let t = 0; t < 20; t += 0.1) {
      const v = visibleAt(out, t, OPTS);
      expect(v.items.length).toBeLessThanOrEqual(4);
    }
    const v = visibleAt(out, 1.2, OPTS);
    expect(v.items).toHaveLength(4);
    expect(v.more).toBe(8);
  });

  it("merges when every lane is busy even under the cap", () => {
    const items = [1, 2, 3].map((id) => ({ id, start: 0, width: 100 }));
    const out = layoutLanes(items, { ...OPTS, lanes: 2, cap: 10 });
    expect(out.placed.map((p) => p.id)).toEqual([1, 2]);
    expect(out.merged.map((m) => m.id)).toEqual([3]);
  });

  it("is deterministic: input order does not matter, ties broken by id", () => {
    const items = randomItems(40, 5);
    const a = layoutLanes(items, OPTS);
    const b = layoutLanes([...items].reverse(), OPTS);
    expect(b).toEqual(a);
    const tie = layoutLanes([{ id: 9, start: 1, width: 50 }, { id: 3, start: 1, width: 50 }], OPTS);
    expect(tie.placed.map((p) => [p.id, p.lane])).toEqual([[3, 0], [9, 1]]);
  });

  it("moves items right to left at the given speed", () => {
    const out = layoutLanes([{ id: 1, start: 10, width: 100 }], OPTS);
    expect(out.placed[0].end).toBeCloseTo(19);
    expect(visibleAt(out, 9.9, OPTS).items).toEqual([]);
    expect(visibleAt(out, 12, OPTS).items[0].x).toBeCloseTo(600);
    expect(visibleAt(out, 19, OPTS).items).toEqual([]);
  });
});

describe("estimateTextWidth", () => {
  it("counts CJK glyphs wider than Latin letters", () => {
    expect(estimateTextWidth("人群聚集", 20, 0)).toBe(80);
    expect(estimateTextWidth("abcd", 20, 0)).toBe(48);
  });
});
