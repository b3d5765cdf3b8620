/** The marker composer: type a text for a point (or none) and press Enter to post it. */
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorText } from "../components/ErrorText";
import { errorLines } from "../errorMessage";
import { TIERS } from "./types";

export interface Draft {
  x: number | null;
  y: number | null;
  text: string;
  kind: "note" | "issue";
  tier: number | null;
}

export const MAX_TEXT = 200;

interface Props {
  point: { x: number; y: number } | null;
  onSubmit: (draft: Draft) => Promise<void>;
  onClose: () => void;
}

export function Composer({ point, onSubmit, onClose }: Props) {
  const { t } = useTranslation();
  const [text, setText] = useState("");
  const [kind, setKind] = useState<"note" | "issue">("note");
  const [tier, setTier] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string[]>([]);
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => inputRef.current?.focus(), [point]);

  const submit = async () => {
    const clean = text.trim();
    if (!clean) {
      setError([t("danmaku.empty")]);
      return;
    }
    setBusy(true);
    setError([]);
    try {
      await onSubmit({ x: point?.x ?? null, y: point?.y ?? null, text: clean, kind, tier });
      setText("");
      onClose();
    } catch (err) {
      setError(errorLines(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="danmaku-composer" data-testid="danmaku-composer"
      onClick={(e) => e.stopPropagation()}
      onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <span className="muted small">
        {point ? t("danmaku.atPoint", { x: Math.round(point.x * 100), y: Math.round(point.y * 100) })
          : t("danmaku.noPoint")}
      </span>
      <input ref={inputRef} className="danmaku-input" data-testid="danmaku-input" value={text}
        maxLength={MAX_TEXT} placeholder={t("danmaku.placeholder")} disabled={busy}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => { if (e.key === "Escape") onClose(); }} />
      <select data-testid="danmaku-kind" value={kind} aria-label={t("danmaku.kindLabel")}
        onChange={(e) => setKind(e.target.value === "issue" ? "issue" : "note")}>
        <option value="note">{t("danmaku.kind.note")}</option>
        <option value="issue">{t("danmaku.kind.issue")}</option>
      </select>
      <select data-testid="danmaku-tier" value={tier ?? ""} aria-label={t("danmaku.tierLabel")}
        onChange={(e) => setTier(e.target.value ? Number(e.target.value) : null)}>
        <option value="">{t("danmaku.tierNone")}</option>
        {TIERS.map((n) => <option key={n} value={n}>{t(`danmaku.tier.${n}`)}</option>)}
      </select>
      <button type="submit" className="btn btn-sm btn-primary" data-testid="danmaku-send"
        disabled={busy}>{t("danmaku.send")}</button>
      <button type="button" className="btn btn-sm btn-ghost" onClick={onClose}>
        {t("danmaku.cancel")}</button>
      <ErrorText lines={error} testId="danmaku-error" />
    </form>
  );
}
