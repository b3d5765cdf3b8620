import { describe, expect, it } from "vitest";
import { createInstance } from "i18next";
import en from "./i18n/en.json";
import zh from "./i18n/zh.json";
import { showsLastError, STATUS_STYLES, statusStyle } from "./status";
import { CAMERA_STATUSES } from "./types";

async function translator(lng: "zh" | "en") {
  const i18n = createInstance();
  await i18n.init({ lng, resources: { zh: { translation: zh }, en: { translation: en } } });
  return i18n.t;
}

describe("camera status mapping", () => {
  it("gives each status its agreed colour", () => {
    expect(statusStyle("online").color).toBe("#22c55e"); // green
    expect(statusStyle("connecting").color).toBe("#3b82f6"); // blue
    expect(statusStyle("stalled").color).toBe("#f97316"); // orange
    expect(statusStyle("offline").color).toBe("#8b95a7"); // grey
    expect(statusStyle("error").color).toBe("#ef4444"); // red
    expect(statusStyle("disabled").dim).toBe(true);
  });

  it("gives each status a distinct colour", () => {
    const colours = CAMERA_STATUSES.map((s) => STATUS_STYLES[s].color);
    expect(new Set(colours).size).toBe(colours.length);
  });

  it("translates labels into Chinese", async () => {
    const t = await translator("zh");
    expect(CAMERA_STATUSES.map((s) => t(statusStyle(s).labelKey))).toEqual([
      "连接中",
      "在线",
      "卡顿",
      "离线",
      "错误",
      "已停用",
    ]);
  });

  it("translates labels into English", async () => {
    const t = await translator("en");
    expect(t(statusStyle("stalled").labelKey)).toBe("Stalled");
    expect(t(statusStyle("disabled").labelKey)).toBe("Disabled");
  });

  it("shows an unknown status as neutral 'unknown'", async () => {
    const t = await translator("zh");
    const style = statusStyle("rebooting");
    expect(t(style.labelKey)).toBe("未知");
    expect(statusStyle("toString").labelKey).toBe("status.unknown");
  });

  it("shows the last error only for error, offline and stalled", () => {
    expect(CAMERA_STATUSES.filter(showsLastError)).toEqual(["stalled", "offline", "error"]);
  });
});
