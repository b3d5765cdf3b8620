import { describe, expect, it } from "vitest";
import { districtDateTime, districtTime, districtWallClockMs } from "./districtTime";

describe("district time", () => {
  it("shows Asia/Shanghai whatever zone the browser is in", () => {
    expect(districtTime("2026-11-21T02:00:05Z", "zh-CN")).toBe("10:00:05");
    expect(districtDateTime("2026-11-20T17:30:00Z", "en-CA", {
      year: "numeric", month: "2-digit", day: "2-digit",
    })).toBe("2026-11-21"); // already the next day in Shanghai
  });

  it("gives the district's wall clock as a UTC date for charts", () => {
    expect(districtWallClockMs("2026-11-20T17:30:00.250Z")).toBe(Date.parse("2026-11-21T01:30:00.250Z"));
    expect(districtWallClockMs(Date.parse("2026-11-21T15:59:59Z"))).toBe(Date.parse("2026-11-21T23:59:59Z"));
  });
});
