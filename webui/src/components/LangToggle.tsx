import { useTranslation } from "react-i18next";
import { currentLang, otherLang } from "../i18n";

/** Shows the name of the other language ("English" / "中文") and switches to it. */
export function LangToggle() {
  const { t, i18n } = useTranslation();
  const next = otherLang(currentLang(i18n));
  return (
    <button
      type="button"
      className="btn btn-ghost lang-toggle"
      data-testid="lang-toggle"
      lang={next === "zh" ? "zh-CN" : "en"}
      title={t("lang.toggleTitle")}
      onClick={() => void i18n.changeLanguage(next)}
    >
      {t("lang.toggle")}
    </button>
  );
}
