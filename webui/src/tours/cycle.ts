/** Pure state of a running tour's view: which camera, how long it has left, paused or not. */

export interface CycleState {
  index: number;
  /** ms left on the current camera. */
  leftMs: number;
  paused: boolean;
}

export function startCycle(dwellS: number, index = 0): CycleState {
  return { index, leftMs: dwellS * 1000, paused: false };
}

/** Advance by `elapsedMs`: moves on (wrapping) each time the dwell runs out, unless paused. */
export function tick(s: CycleState, elapsedMs: number, dwellS: number, count: number): CycleState {
  if (s.paused || count <= 0) return s;
  const dwell = dwellS * 1000;
  let left = s.leftMs - elapsedMs;
  let index = s.index;
  while (left <= 0) {
    index = (index + 1) % count;
    left += dwell;
  }
  return { ...s, index, leftMs: left };
}

export function goTo(s: CycleState, index: number, dwellS: number, count: number): CycleState {
  return { ...s, index: ((index % count) + count) % count, leftMs: dwellS * 1000 };
}

export function togglePause(s: CycleState): CycleState {
  return { ...s, paused: !s.paused };
}

/** The first camera not yet checked at or after `from` (wrapping), or null when all are. */
export function nextPending(statuses: readonly string[], from: number): number | null {
  for (let k = 1; k <= statuses.length; k += 1) {
    const i = (from + k) % statuses.length;
    if (statuses[i] === "pending") return i;
  }
  return null;
}
