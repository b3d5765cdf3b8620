import { describe, expect, it } from "vitest";
import { goTo, nextPending, startCycle, tick, togglePause } from "./cycle";

describe("tour cycle", () => {
  it("moves to the next camera when the dwell time runs out, wrapping", () => {
    let s = startCycle(10);
    s = tick(s, 9000, 10, 3);
    expect(s).toMatchObject({ index: 0, leftMs: 1000 });
    s = tick(s, 1000, 10, 3);
    expect(s).toMatchObject({ index: 1, leftMs: 10000 });
    s = tick(s, 25000, 10, 3);
    expect(s).toMatchObject({ index: 0, leftMs: 5000 });
  });

  it("stands still while paused", () => {
    const s = togglePause(startCycle(10));
    expect(tick(s, 60000, 10, 3)).toEqual(s);
    expect(togglePause(s).paused).toBe(false);
  });

  it("jumps to a camera with a fresh dwell time", () => {
    const s = tick(startCycle(10), 4000, 10, 3);
    expect(goTo(s, 3, 10, 3)).toMatchObject({ index: 0, leftMs: 10000 });
    expect(goTo(s, -1, 10, 3)).toMatchObject({ index: 2 });
  });

  it("finds the next unchecked camera", () => {
    expect(nextPending(["normal", "pending", "issue", "pending"], 1)).toBe(3);
    expect(nextPending(["pending", "normal"], 1)).toBe(0);
    expect(nextPending(["normal", "issue"], 0)).toBeNull();
  });
});
