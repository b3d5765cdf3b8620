/** Warning tiers of Chinese city-operations screens: 蓝 / 黄 / 橙 / 红 (IV to I). */
export const TIER_COLORS: Record<number, string> = {
  0: "#22c55e",
  1: "#3b82f6",
  2: "#facc15",
  3: "#f97316",
  4: "#ef4444",
};

export function tierColor(level: number): string {
  return TIER_COLORS[Math.max(0, Math.min(4, Math.round(level)))];
}

/** Tier (0–4) of a count given the thresholds where tiers 1..4 start. */
export function tierOf(count: number, thresholds: number[]): number {
  return thresholds.filter((th) => count >= th).length;
}
