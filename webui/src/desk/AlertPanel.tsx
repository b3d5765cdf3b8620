import { useTranslation } from "react-i18next";
import type { Role, Unit } from "../types";
import type { DeskApi } from "./deskApi";
import { Evidence } from "./Evidence";
import { ageSeconds, availableActions, formatDuration } from "./queue";
import type { Alert, AlertStep, DeskAction } from "./types";
import { districtDateTime, districtTime } from "../districtTime";

interface Props {
  desk: DeskApi;
  alert: Alert;
  steps: AlertStep[] | null;
  role: Role;
  units: Unit[];
  locale: string;
  nowMs: number;
  busy: boolean;
  onAction: (action: DeskAction) => void;
}

function when(iso: string, locale: string): string {
  const day = (v: string | number) => districtDateTime(v, "en-CA", { year: "numeric", month: "2-digit", day: "2-digit" });
  return day(iso) === day(Date.now())
    ? districtTime(iso, locale)
    : districtDateTime(iso, locale, { month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
}

function Row({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <div className="fact">
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}

function Facts({ alert, units, locale, nowMs }: Omit<Props, "desk" | "steps" | "role" | "busy" | "onAction">) {
  const { t } = useTranslation();
  const unitName = (id: string) => units.find((u) => u.id === id)?.name ?? id;
  const due = alert.due_at ? ageSeconds(alert.due_at, nowMs) : null;
  return (
    <dl className="facts">
      <Row label={t("desk.panel.camera")}>{alert.camera_name}</Row>
      <Row label={t("desk.panel.unit")}>{alert.unit_name}</Row>
      <Row label={t("desk.panel.raisedAt")}>{when(alert.created_at, locale)}</Row>
      <Row label={t("desk.panel.count")}>{alert.event_count}</Row>
      <Row label={t("desk.panel.notify")}>{alert.notify_units.map(unitName).join(t("app.listSeparator"))}</Row>
      <Row label={t("desk.panel.escalation")}>
        {alert.escalation_level > 0
          ? t("desk.panel.escalatedTo", {
              level: alert.escalation_level,
              role: t(`role.${alert.escalated_to ?? "commander"}`),
            })
          : t("desk.panel.notEscalated")}
      </Row>
      {alert.dispatched_at && (
        <>
          <Row label={t("desk.panel.dispatchTo")} testId="panel-dispatch-to">
            {[alert.dispatch_unit_name, alert.dispatch_assignee].filter(Boolean).join(" · ")}
          </Row>
          {alert.dispatch_instructions && (
            <Row label={t("desk.panel.instructions")}>{alert.dispatch_instructions}</Row>
          )}
        </>
      )}
      {alert.due_at && due !== null && alert.state === "dispatched" && (
        <Row label={t("desk.panel.due")}>
          <span className={due > 0 ? "text-overdue" : ""}>
            {when(alert.due_at, locale)} ·{" "}
            {due > 0
              ? t("desk.panel.overdueBy", { late: formatDuration(due) })
              : t("desk.panel.dueIn", { left: formatDuration(-due) })}
          </span>
        </Row>
      )}
      {alert.resolution_note && <Row label={t("desk.panel.resolution")}>{alert.resolution_note}</Row>}
      {alert.close_note && <Row label={t("desk.panel.closeNote")}>{alert.close_note}</Row>}
      {alert.dismiss_reason && <Row label={t("desk.panel.dismissReason")}>{alert.dismiss_reason}</Row>}
    </dl>
  );
}

function Timeline({ steps, locale }: { steps: AlertStep[]; locale: string }) {
  const { t } = useTranslation();
  return (
    <ol className="timeline" data-testid="alert-timeline">
      {steps.map((s, i) => (
        <li key={i} className={`step step-${s.kind}`} data-testid="timeline-step" data-kind={s.kind}>
          <span className="step-time">{when(s.at, locale)}</span>
          <span className="step-kind">{t(`desk.step.${s.kind}`)}</span>
          <span className="step-actor">{s.actor_name}</span>
          {s.note && <span className="step-note">{s.note}</span>}
        </li>
      ))}
    </ol>
  );
}

export function AlertPanel({ desk, alert, steps, role, units, locale, nowMs, busy, onAction }: Props) {
  const { t } = useTranslation();
  const actions = availableActions(role, alert.state);
  return (
    <article className={`alert-panel tier-${alert.tier}`} data-testid="alert-panel" data-alert-id={alert.id}>
      <header className="alert-panel-head">
        <span className="tier-chip">
          {t(`desk.tier.${alert.tier}`)} {t(`desk.tierLevel.${alert.tier}`)}
        </span>
        <h2 className="alert-panel-title">
          {t(`desk.kind.${alert.kind}`, alert.kind)} · {alert.camera_name}
        </h2>
        <span className={`state-badge state-${alert.state}`} data-testid="panel-state">
          {t(`desk.state.${alert.state}`)}
        </span>
        {alert.overdue && <span className="flag flag-overdue">{t("desk.card.overdue")}</span>}
      </header>
      <p className="alert-panel-msg">{alert.message}</p>
      {alert.suppressed > 0 && <p className="muted small">{t("desk.panel.suppressed", { count: alert.suppressed })}</p>}
      <div className="alert-panel-body">
        <div className="alert-panel-col">
          <Facts alert={alert} units={units} locale={locale} nowMs={nowMs} />
          <section className="panel-actions">
            <h3 className="panel-subtitle">{t("desk.panel.actions")}</h3>
            {actions.length === 0 ? (
              <p className="muted">{t("desk.panel.noActions")}</p>
            ) : (
              <div className="action-row">
                {actions.map((a) => (
                  <button
                    key={a}
                    type="button"
                    disabled={busy}
                    className={`btn btn-action action-${a} ${a === "ack" || a === "dispatch" ? "btn-primary" : ""}`}
                    data-testid={`action-${a}`}
                    onClick={() => onAction(a)}
                  >
                    {t(`desk.action.${a}`)}
                  </button>
                ))}
              </div>
            )}
          </section>
        </div>
        <Evidence desk={desk} alert={alert} locale={locale} />
      </div>
      <section>
        <h3 className="panel-subtitle">{t("desk.panel.timeline")}</h3>
        {steps ? <Timeline steps={steps} locale={locale} /> : <p className="muted">{t("app.loading")}</p>}
      </section>
    </article>
  );
}
