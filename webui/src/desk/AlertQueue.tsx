import { useTranslation } from "react-i18next";
import { ageSeconds, formatDuration, isActive } from "./queue";
import type { Alert } from "./types";

interface CardProps {
  alert: Alert;
  nowMs: number;
  selected: boolean;
  fresh: boolean;
  canAck: boolean;
  onSelect: (id: string) => void;
  onAck: (alert: Alert) => void;
}

export function AlertCard({ alert, nowMs, selected, fresh, canAck, onSelect, onAck }: CardProps) {
  const { t } = useTranslation();
  const classes = ["alert-card", `tier-${alert.tier}`];
  if (selected) classes.push("selected");
  if (fresh) classes.push("fresh");
  if (alert.overdue) classes.push("is-overdue");
  return (
    <li
      className={classes.join(" ")}
      data-testid="alert-card"
      data-alert-id={alert.id}
      data-state={alert.state}
      data-tier={alert.tier}
      aria-selected={selected}
      onClick={() => onSelect(alert.id)}
    >
      <div className="alert-card-tier">
        <span className="tier-name">{t(`desk.tier.${alert.tier}`)}</span>
        <span className="tier-level">{t(`desk.tierLevel.${alert.tier}`)}</span>
      </div>
      <div className="alert-card-main">
        <div className="alert-card-title">
          <span className="alert-kind">{t(`desk.kind.${alert.kind}`, alert.kind)}</span>
          <span className="alert-camera" title={alert.camera_id}>
            {alert.camera_name}
          </span>
          {alert.event_count > 1 && (
            <span className="alert-count" title={t("desk.card.countTitle", { count: alert.event_count })}>
              {t("desk.card.count", { count: alert.event_count })}
            </span>
          )}
        </div>
        <div className="alert-card-msg">{alert.message}</div>
        <div className="alert-card-meta">
          <span className={`state-badge state-${alert.state}`} data-testid="alert-state">
            {t(`desk.state.${alert.state}`)}
          </span>
          <span className="muted">{alert.unit_name}</span>
          <span className="alert-age">
            {isActive(alert)
              ? t("desk.card.waiting", { age: formatDuration(ageSeconds(alert.created_at, nowMs)) })
              : t("desk.card.took", {
                  age: formatDuration(ageSeconds(alert.created_at, Date.parse(alert.updated_at))),
                })}
          </span>
          {alert.escalation_level > 0 && <span className="flag flag-escalated">{t("desk.card.escalated")}</span>}
          {alert.overdue && <span className="flag flag-overdue">{t("desk.card.overdue")}</span>}
        </div>
      </div>
      {canAck && (
        <button
          type="button"
          className="btn btn-primary btn-ack"
          data-testid="alert-ack"
          onClick={(e) => {
            e.stopPropagation();
            onAck(alert);
          }}
        >
          {t("desk.card.quickAck")}
        </button>
      )}
    </li>
  );
}

interface QueueProps {
  alerts: Alert[];
  nowMs: number;
  selectedId: string | null;
  freshIds: ReadonlySet<string>;
  canAck: (alert: Alert) => boolean;
  onSelect: (id: string) => void;
  onAck: (alert: Alert) => void;
  emptyText: string;
}

export function AlertQueue({ alerts, emptyText, selectedId, freshIds, canAck, ...rest }: QueueProps) {
  if (alerts.length === 0) {
    return (
      <p className="desk-empty" data-testid="desk-empty">
        {emptyText}
      </p>
    );
  }
  return (
    <ul className="alert-queue" data-testid="desk-queue">
      {alerts.map((a) => (
        <AlertCard
          key={a.id}
          alert={a}
          selected={a.id === selectedId}
          fresh={freshIds.has(a.id)}
          canAck={canAck(a)}
          nowMs={rest.nowMs}
          onSelect={rest.onSelect}
          onAck={rest.onAck}
        />
      ))}
    </ul>
  );
}
