import { describe, expect, it } from "vitest";
import { clockText, dateValue } from "../districtTime";
import { dayStart, densityLevels, fractionOf, parseDateValue, tickSeekTarget, timeAtFraction }
  from "./timeline";

// 2026-11-21 00:00 Asia/Shanghai = 2026-11-20 16:00 UTC
const DAY = Date.UTC(2026, 10, 20, 16) / 1000;

describe("Asia/Shanghai days", () => {
  it("starts a day at 00:00 Shanghai, not UTC", () => {
    expect(dayStart(DAY)).toBe(DAY);
    expect(dayStart(DAY + 86399)).toBe(DAY);
    expect(dayStart(DAY - 1)).toBe(DAY - 86400);
    expect(dateValue(DAY + 3600)).toBe("2026-11-21");
    expect(parseDateValue("2026-11-21")).toBe(DAY);
    expect(parseDateValue("21/11/2026")).toBeNull();
    expect(clockText(DAY + 9 * 3600 + 5 * 60 + 7)).toBe("09:05:07");
  });
});

describe("timeline positions", () => {
  it("maps moments to fractions and back", () => {
    expect(fractionOf(DAY + 43200, DAY, DAY + 86400)).toBe(0.5);
    expect(fractionOf(DAY - 10, DAY, DAY + 86400)).toBe(0);
    expect(fractionOf(DAY + 90000, DAY, DAY + 86400)).toBe(1);
    expect(timeAtFraction(0.25, DAY, DAY + 86400)).toBe(DAY + 21600);
    expect(timeAtFraction(fractionOf(DAY + 1234.5, DAY, DAY + 86400), DAY, DAY + 86400))
      .toBeCloseTo(DAY + 1234.5);
  });

  it("seeks a tick to 5 s before its marker, not before the window", () => {
    expect(tickSeekTarget(DAY + 100, DAY)).toBe(DAY + 95);
    expect(tickSeekTarget(DAY + 2, DAY)).toBe(DAY);
  });

  it("scales density to the busiest bucket", () => {
    const b = (events: number, markers: number) => ({ start: 0, end: 1, events, markers });
    expect(densityLevels([b(0, 0), b(2, 2), b(1, 0)])).toEqual([0, 1, 0.25]);
    expect(densityLevels([b(0, 0)])).toEqual([0]);
  });
});
