import { beforeEach, describe, expect, it } from "vitest";
import { CAMERA_STATUSES, ROLES } from "../types";
import { createI18n, dictionaries, LANG_KEY, mergeTrees } from "./index";

const zh = dictionaries.zh;
const en = dictionaries.en;

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

const zhKeys = flatten(zh);
const enKeys = flatten(en);

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
}

describe("feature dictionaries", () => {
  it("merge into the core tree and refuse a key defined twice", () => {
    expect(mergeTrees({ a: { b: "x" } }, { a: { c: "y" } })).toEqual({ a: { b: "x", c: "y" } });
    expect(() => mergeTrees({ a: { b: "x" } }, { a: { b: "z" } })).toThrow("a.b");
  });
});

describe("translation files", () => {
  it("every Chinese key exists in English", () => {
    expect([...zhKeys.keys()].filter((k) => !enKeys.has(k))).toEqual([]);
  });

  it("every English key exists in Chinese", () => {
    expect([...enKeys.keys()].filter((k) => !zhKeys.has(k))).toEqual([]);
  });

  it("has no empty values", () => {
    const empty = [...zhKeys, ...enKeys].filter(([, v]) => v.trim() === "").map(([k]) => k);
    expect(empty).toEqual([]);
  });

  it("uses the same {{placeholders}} in both languages", () => {
    const mismatched = [...zhKeys.keys()].filter(
      (k) => placeholders(zhKeys.get(k) ?? "").join() !== placeholders(enKeys.get(k) ?? "").join(),
    );
    expect(mismatched).toEqual([]);
  });

  it("labels every role and camera status", () => {
    for (const role of ROLES) expect(zhKeys.has(`role.${role}`)).toBe(true);
    for (const status of CAMERA_STATUSES) expect(zhKeys.has(`status.${status}`)).toBe(true);
  });

  it("uses the agreed Chinese role names", () => {
    expect(ROLES.map((r) => zhKeys.get(`role.${r}`))).toEqual(["巡查员", "值班员", "指挥员", "管理员"]);
  });
});

describe("language choice", () => {
  beforeEach(() => localStorage.clear());

  it("defaults to Chinese and sets <html lang>", () => {
    const i18n = createI18n();
    expect(i18n.language).toBe("zh");
    expect(document.documentElement.lang).toBe("zh-CN");
    expect(i18n.t("lang.toggle")).toBe("English");
    expect(document.title).toBe("城区之眼 CityEye");
  });

  it("remembers a switch to English in localStorage", async () => {
    const i18n = createI18n();
    await i18n.changeLanguage("en");
    expect(localStorage.getItem(LANG_KEY)).toBe("en");
    expect(document.documentElement.lang).toBe("en");
    expect(i18n.t("lang.toggle")).toBe("中文");
    expect(createI18n().language).toBe("en");
  });

  it("ignores an unknown stored language", () => {
    localStorage.setItem(LANG_KEY, "fr");
    expect(createI18n().language).toBe("zh");
  });
});
