import { describe, expect, it } from "vitest";
import { fieldPath, formatDetail, formatDetailLines } from "./errors";

describe("error detail formatter", () => {
  it("passes a plain string through", () => {
    expect(formatDetail("摄像头编号已存在")).toBe("摄像头编号已存在");
  });

  it("joins a pydantic list as 'field: msg'", () => {
    const detail = [
      { loc: ["body", "url"], msg: "Field required", type: "missing" },
      { loc: ["body", "analysis_fps"], msg: "Input should be greater than 0", type: "greater_than" },
    ];
    expect(formatDetailLines(detail)).toEqual([
      "url: Field required",
      "analysis_fps: Input should be greater than 0",
    ]);
    expect(formatDetail(detail)).toBe("url: Field required; analysis_fps: Input should be greater than 0");
  });

  it("keeps nested paths and list indexes", () => {
    expect(fieldPath(["body", "zones", 0, "name"])).toBe("zones.0.name");
    expect(fieldPath(["query", "limit"])).toBe("limit");
    expect(fieldPath(["name"])).toBe("name");
  });

  it("shows only the message when the location is just the body", () => {
    expect(formatDetail([{ loc: [], msg: "Invalid JSON", type: "json_invalid" }])).toBe("Invalid JSON");
    expect(formatDetail([{ loc: ["body"], msg: "Invalid JSON", type: "json_invalid" }])).toBe(
      "Invalid JSON",
    );
  });

  it("returns nothing for unreadable details", () => {
    expect(formatDetailLines(undefined)).toEqual([]);
    expect(formatDetailLines(42)).toEqual([]);
    expect(formatDetailLines("  ")).toEqual([]);
    expect(formatDetailLines([{ foo: 1 }])).toEqual([]);
  });
});
