import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { EChart } from "./EChart";
import type { FlowArea } from "./flowApi";
import { gaugeOption } from "./options";
import { tierColor, tierOf } from "./tiers";

interface Props {
  area: FlowArea;
  selected: boolean;
  onSelect: (id: string) => void;
}

/** The first horizon (15/30/60 min) at which the forecast reaches a tier above the present one. */
export function warningOf(area: FlowArea): { minutes: number; tier: number } | null {
  const thresholds = area.tiers.map((x) => x.threshold);
  const steps: [number, number | null][] = [
    [15, area.forecast_15m],
    [30, area.forecast_30m],
    [60, area.forecast_60m],
  ];
  for (const [minutes, value] of steps) {
    if (value === null) continue;
    const tier = tierOf(value, thresholds);
    if (tier > area.level) return { minutes, tier };
  }
  return null;
}

/** One area now: gauge vs capacity in tier colours, forecast, in/out of the last 15 minutes. */
export function AreaCard({ area, selected, onSelect }: Props) {
  const { t } = useTranslation();
  const option = useMemo(() => gaugeOption(area, (key, vars) => t(key, vars)), [area, t]);
  const warning = warningOf(area);
  const thresholds = area.tiers.map((x) => x.threshold);
  const fc = (v: number | null) => (v === null ? "—" : Math.round(v).toLocaleString());
  return (
    <article
      className={`flow-card${selected ? " flow-card-selected" : ""}`}
      data-testid={`flow-card-${area.id}`}
      style={{ borderTopColor: tierColor(area.level) }}
      onClick={() => onSelect(area.id)}
    >
      <header>
        <h2>{area.name}</h2>
        <span className={`flow-badge flow-tier-${area.level}`}>{t(`flowDash.tier${area.level}`)}</span>
      </header>
      <EChart option={option} className="flow-gauge" testId={`flow-gauge-${area.id}`} label={t("flowDash.gauge", { area: area.name })} />
      {warning && (
        <p className={`flow-warning flow-tier-${warning.tier}`} role="alert">
          {t("flowDash.warning", { minutes: warning.minutes, tier: t(`flowDash.tier${warning.tier}`) })}
        </p>
      )}
      <dl className="flow-figures">
        {(["15", "30", "60"] as const).map((m) => {
          const v = area[`forecast_${m}m`];
          return (
            <div key={m}>
              <dt>{t("flowDash.ahead", { minutes: m })}</dt>
              <dd style={{ color: v === null ? undefined : tierColor(tierOf(v, thresholds)) }}>{fc(v)}</dd>
            </div>
          );
        })}
        <div>
          <dt>{t("flowDash.in15")}</dt>
          <dd>{Math.round(area.inflow_15m).toLocaleString()}</dd>
        </div>
        <div>
          <dt>{t("flowDash.out15")}</dt>
          <dd>{Math.round(area.outflow_15m).toLocaleString()}</dd>
        </div>
      </dl>
    </article>
  );
}
