import { createInstance, type i18n as I18n } from "i18next";
import { initReactI18next } from "react-i18next";
import en from "./en.json";
import zh from "./zh.json";

export type Lang = "zh" | "en";
export const LANGS: readonly Lang[] = ["zh", "en"];
export const DEFAULT_LANG: Lang = "zh";
export const LANG_KEY = "cityeye.lang";

/** Value for <html lang>. */
export const HTML_LANG: Record<Lang, string> = { zh: "zh-CN", en: "en" };

type Tree = { [key: string]: string | Tree };

/** Deep-merges feature dictionaries into the core one; a key defined twice is an error. */
export function mergeTrees(base: Tree, extra: Tree, where = ""): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const path = where ? `${where}.${key}` : key;
    const existing = out[key];
    if (existing === undefined) out[key] = value;
    else if (typeof existing !== "string" && typeof value !== "string")
      out[key] = mergeTrees(existing, value, path);
    else throw new Error(`translation key ${path} is defined twice`);
  }
  return out;
}

// Each feature keeps its strings next to its code in `i18n.zh.json` / `i18n.en.json`,
// merged here with the core dictionaries.
const featureZh = import.meta.glob<Tree>("../**/i18n.zh.json", { eager: true, import: "default" });
const featureEn = import.meta.glob<Tree>("../**/i18n.en.json", { eager: true, import: "default" });

function withFeatures(core: Tree, features: Record<string, Tree>): Tree {
  return Object.keys(features)
    .sort()
    .reduce((acc, file) => mergeTrees(acc, features[file]), core);
}

export const dictionaries: Record<Lang, Tree> = {
  zh: withFeatures(zh, featureZh),
  en: withFeatures(en, featureEn),
};

export const resources = {
  zh: { translation: dictionaries.zh },
  en: { translation: dictionaries.en },
} as const;

function isLang(value: string | null): value is Lang {
  return value === "zh" || value === "en";
}

type LangStorage = Pick<Storage, "getItem" | "setItem">;

export function storedLang(storage: LangStorage = window.localStorage): Lang {
  const value = storage.getItem(LANG_KEY);
  return isLang(value) ? value : DEFAULT_LANG;
}

/** Applies a language to the document (<html lang>, title). */
function applyToDocument(instance: I18n, lang: Lang): void {
  document.documentElement.lang = HTML_LANG[lang];
  document.title = instance.t("app.documentTitle");
}

/**
 * Creates the app's i18next instance. Chinese is the default; the choice is
 * remembered in localStorage and reflected in <html lang>.
 */
export function createI18n(storage: LangStorage = window.localStorage): I18n {
  const instance = createInstance();
  const lang = storedLang(storage);
  void instance.use(initReactI18next).init({
    resources,
    lng: lang,
    fallbackLng: DEFAULT_LANG,
    supportedLngs: [...LANGS],
    interpolation: { escapeValue: false },
    initAsync: false,
    returnNull: false,
  });
  applyToDocument(instance, lang);
  instance.on("languageChanged", (next: string) => {
    const value: Lang = isLang(next) ? next : DEFAULT_LANG;
    storage.setItem(LANG_KEY, value);
    applyToDocument(instance, value);
  });
  return instance;
}

export function currentLang(instance: I18n): Lang {
  const value = instance.resolvedLanguage ?? instance.language;
  return isLang(value) ? value : DEFAULT_LANG;
}

export function otherLang(lang: Lang): Lang {
  return lang === "zh" ? "en" : "zh";
}
