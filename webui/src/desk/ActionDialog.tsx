import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ErrorText } from "../components/ErrorText";
import { errorLines } from "../errorMessage";
import type { Unit } from "../types";
import type { ActionBody, DeskAction } from "./types";

export type DialogAction = Exclude<DeskAction, "ack">;

interface Props {
  action: DialogAction;
  units: Unit[];
  defaultDeadline: number;
  onSubmit: (body: ActionBody) => Promise<void>;
  onCancel: () => void;
}

const REASONS = ["shadow", "normal", "test", "duplicate"] as const;

/** The form behind 派发 / 处置完毕 / 核查结案 / 误报排除; stays open and shows the error on failure. */
export function ActionDialog({ action, units, defaultDeadline, onSubmit, onCancel }: Props) {
  const { t } = useTranslation();
  const [unit, setUnit] = useState("");
  const [assignee, setAssignee] = useState("");
  const [text, setText] = useState("");
  const [deadline, setDeadline] = useState(String(defaultDeadline));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string[] | null>(null);

  const build = (): ActionBody | string => {
    const note = text.trim();
    if (action === "dispatch") {
      if (!unit && !assignee.trim()) return t("desk.dialog.needTarget");
      const minutes = Number.parseInt(deadline, 10);
      return {
        action,
        body: {
          unit: unit || null,
          assignee: assignee.trim() || null,
          instructions: note,
          deadline_minutes: Number.isFinite(minutes) && minutes > 0 ? minutes : null,
        },
      };
    }
    if (action === "resolve") {
      if (!note) return t("desk.dialog.required", { field: t("desk.dialog.resolveNote") });
      return { action, body: { note } };
    }
    if (action === "dismiss") {
      if (!note) return t("desk.dialog.required", { field: t("desk.dialog.dismissReason") });
      return { action, body: { reason: note } };
    }
    return { action, body: { note } };
  };

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const body = build();
    if (typeof body === "string") {
      setError([body]);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSubmit(body);
    } catch (err) {
      setError(errorLines(err, t));
      setBusy(false);
    }
  };

  const noteLabel = {
    dispatch: t("desk.dialog.instructions"),
    resolve: t("desk.dialog.resolveNote"),
    close: t("desk.dialog.closeNote"),
    dismiss: t("desk.dialog.dismissReason"),
  }[action];
  const hint = {
    dispatch: t("desk.dialog.instructionsHint"),
    resolve: t("desk.dialog.resolveHint"),
    close: "",
    dismiss: t("desk.dialog.dismissHint"),
  }[action];

  return (
    <div className="dialog-backdrop" role="presentation" onClick={onCancel}>
      <form
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="desk-dialog-title"
        data-testid={`dialog-${action}`}
        onClick={(e) => e.stopPropagation()}
        onSubmit={(e) => void submit(e)}
      >
        <h2 id="desk-dialog-title" className="panel-title">
          {t(`desk.dialog.${action}Title`)}
        </h2>
        {action === "dispatch" && (
          <div className="form-grid">
            <label className="field">
              <span className="field-label">{t("desk.dialog.unit")}</span>
              <select value={unit} onChange={(e) => setUnit(e.target.value)} data-testid="dispatch-unit">
                <option value="">{t("desk.dialog.selectUnit")}</option>
                {units.filter((u) => u.in_scope).map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span className="field-label">{t("desk.dialog.assignee")}</span>
              <input
                value={assignee}
                placeholder={t("desk.dialog.assigneeHint")}
                onChange={(e) => setAssignee(e.target.value)}
                data-testid="dispatch-assignee"
                maxLength={64}
              />
            </label>
            <label className="field">
              <span className="field-label">{t("desk.dialog.deadline")}</span>
              <input
                type="number"
                min={1}
                value={deadline}
                onChange={(e) => setDeadline(e.target.value)}
                data-testid="dispatch-deadline"
              />
            </label>
          </div>
        )}
        {action === "dismiss" && (
          <div className="quick-reasons">
            <span className="field-label">{t("desk.dialog.quickReasons")}</span>
            {REASONS.map((r) => (
              <button
                type="button"
                key={r}
                className="btn btn-sm"
                onClick={() => setText(t(`desk.dialog.reasons.${r}`))}
              >
                {t(`desk.dialog.reasons.${r}`)}
              </button>
            ))}
          </div>
        )}
        <label className="field">
          <span className="field-label">{noteLabel}</span>
          <textarea
            value={text}
            rows={3}
            placeholder={hint}
            maxLength={action === "dismiss" ? 500 : 1000}
            onChange={(e) => setText(e.target.value)}
            data-testid="dialog-text"
          />
        </label>
        {error && <ErrorText lines={error} testId="dialog-error" />}
        <div className="dialog-actions">
          <button type="button" className="btn btn-ghost" onClick={onCancel}>
            {t("desk.dialog.cancel")}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="dialog-submit">
            {busy ? t("desk.dialog.submitting") : t("desk.dialog.submit")}
          </button>
        </div>
      </form>
    </div>
  );
}
