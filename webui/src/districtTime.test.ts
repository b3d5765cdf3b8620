import { describe, expect, it } from "vitest";
import { districtDateTime, districtTime } from "./districtTime";

describe("district time", () => {
  it("shows Asia/Shanghai whatever zone the browser is in", () => {
    expect(districtTime("2026-11-21T02:00:05Z", "zh-CN")).toBe("10:00:05");
    expect(districtDateTime("2026-11-20T17:30:00Z", "en-CA", {
      year: "numeric", month: "2-digit", day: "2-digit",
    })).toBe("2026-11-21"); // already the next day in Shanghai
  });
});
