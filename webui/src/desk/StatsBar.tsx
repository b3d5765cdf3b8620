import { useTranslation } from "react-i18next";
import { formatDuration } from "./queue";
import type { AlertStats } from "./types";

function Stat({ label, value, tone, testId }: { label: string; value: string; tone?: string; testId: string }) {
  return (
    <div className={`desk-stat ${tone ?? ""}`}>
      <span className="desk-stat-value" data-testid={testId}>
        {value}
      </span>
      <span className="desk-stat-label">{label}</span>
    </div>
  );
}

/** Today's figures: totals, open and overdue now, mean times, kinds, false alarms per rule. */
export function StatsBar({ stats }: { stats: AlertStats | null }) {
  const { t } = useTranslation();
  const none = t("desk.stats.none");
  const dur = (s: number | null | undefined) => (s === null || s === undefined ? none : formatDuration(s));
  const kinds = Object.entries(stats?.by_kind ?? {}).sort((a, b) => b[1] - a[1]);
  const falses = Object.entries(stats?.dismissed_by_rule ?? {}).sort((a, b) => b[1] - a[1]).slice(0, 3);
  return (
    <section className="desk-stats" data-testid="desk-stats" aria-label={t("desk.stats.title")}>
      <Stat label={t("desk.stats.total")} value={stats ? String(stats.total) : none} testId="stat-total" />
      <Stat
        label={t("desk.stats.open")}
        value={stats ? String(stats.open_now) : none}
        tone={stats && stats.open_now > 0 ? "tone-warn" : ""}
        testId="stat-open"
      />
      <Stat
        label={t("desk.stats.overdue")}
        value={stats ? String(stats.overdue_now) : none}
        tone={stats && stats.overdue_now > 0 ? "tone-danger" : ""}
        testId="stat-overdue"
      />
      <Stat label={t("desk.stats.mtta")} value={dur(stats?.mean_ack_s)} testId="stat-mtta" />
      <Stat label={t("desk.stats.mttr")} value={dur(stats?.mean_resolve_s)} testId="stat-mttr" />
      <div className="desk-stat desk-stat-wide">
        <span className="desk-stat-label">{t("desk.stats.byKind")}</span>
        <span className="chips" data-testid="stat-kinds">
          {kinds.length === 0
            ? none
            : kinds.map(([k, n]) => (
                <span key={k} className="chip">
                  {t(`desk.kind.${k}`, k)} <b>{n}</b>
                </span>
              ))}
        </span>
      </div>
      <div className="desk-stat desk-stat-wide">
        <span className="desk-stat-label">{t("desk.stats.falseAlarms")}</span>
        <span className="chips">
          {falses.length === 0
            ? t("desk.stats.noFalseAlarms")
            : falses.map(([rule, n]) => (
                <span key={rule} className="chip">
                  {rule} <b>{n}</b>
                </span>
              ))}
        </span>
      </div>
    </section>
  );
}
