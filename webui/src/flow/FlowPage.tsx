import { useCallback, useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useApi } from "../apiContext";
import { ErrorText } from "../components/ErrorText";
import { errorLines } from "../errorMessage";
import { currentLang, HTML_LANG } from "../i18n";
import { usePolling } from "../usePolling";
import { AreaCard } from "./AreaCard";
import { EChart } from "./EChart";
import { FlowApi, type FlowArea, type FlowForecast, type FlowSeries } from "./flowApi";
import { dwellOption, inOutOption, modesOption, odOption, seriesOption } from "./options";
import { SitePlan } from "./SitePlan";
import "./flow.css";
import { districtTime } from "../districtTime";

const HOUR = 3_600_000;

interface Detail {
  areaId: string;
  count: FlowSeries;
  inflow: FlowSeries;
  outflow: FlowSeries;
  forecast: FlowForecast;
}

/** 客流: the 中山公园商圈 crowd-flow dashboard for the wall screen. */
export function FlowPage() {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const lang = currentLang(i18n);
  const flow = useMemo(() => new FlowApi(api), [api]);
  const label = useCallback((key: string, vars?: Record<string, unknown>) => t(key, vars), [t]);
  const areasPoll = usePolling((s) => flow.areas(s), 30_000);
  const [selected, setSelected] = useState<string | null>(null);
  const areas: FlowArea[] = useMemo(
    () => (areasPoll.data ?? []).map((a) => ({ ...a, name: lang === "en" && a.name_en ? a.name_en : a.name })),
    [areasPoll.data, lang],
  );
  const areaId = selected ?? areas[0]?.id ?? null;
  const area = areas.find((a) => a.id === areaId) ?? null;

  const detailPoll = usePolling(async (signal): Promise<Detail | null> => {
    if (!areaId) return null;
    const now = new Date();
    const [count, inflow, outflow, forecast] = await Promise.all([
      flow.series(areaId, { metric: "count", since: new Date(now.getTime() - 12 * HOUR), step: "1m" }, signal),
      flow.series(areaId, { metric: "in", since: new Date(now.getTime() - 24 * HOUR), step: "15m" }, signal),
      flow.series(areaId, { metric: "out", since: new Date(now.getTime() - 24 * HOUR), step: "15m" }, signal),
      flow.forecast(areaId, signal),
    ]);
    return { areaId, count, inflow, outflow, forecast };
  }, 60_000);
  const refreshDetail = detailPoll.refresh;
  useEffect(() => refreshDetail(), [areaId, refreshDetail]);
  const summaryPoll = usePolling((s) => flow.summary(new Date(Date.now() - 24 * HOUR), s), 120_000);

  const detail = detailPoll.data && detailPoll.data.areaId === areaId ? detailPoll.data : null;
  const summary = summaryPoll.data;
  const seriesOpt = useMemo(
    () => (area ? seriesOption(area, detail?.count ?? null, detail?.forecast ?? null, label) : {}),
    [area, detail, label],
  );
  const inOutOpt = useMemo(() => inOutOption(detail?.inflow ?? null, detail?.outflow ?? null, label), [detail, label]);
  const dwellOpt = useMemo(() => dwellOption(summary, areas, label), [summary, areas, label]);
  const odOpt = useMemo(() => odOption(summary, areas, label), [summary, areas, label]);
  const modesOpt = useMemo(() => modesOption(summary, areas, label), [summary, areas, label]);
  const simulated = areas.some((a) => a.simulated);
  const updated = areasPoll.updatedAt
    ? districtTime(areasPoll.updatedAt, HTML_LANG[lang])
    : "—";

  return (
    <div className="flow-page" data-testid="flow-page">
      <header className="flow-head">
        <h1>{t("flowDash.title")}</h1>
        {simulated && (
          <span className="flow-sim" data-testid="flow-simulated" title={t("flowDash.simulatedHint")}>
            {t("flowDash.simulated")}
          </span>
        )}
        <span className="flow-updated">{t("flowDash.updated", { time: updated })}</span>
      </header>
      {areasPoll.error !== null && <ErrorText lines={errorLines(areasPoll.error, t)} />}
      {areasPoll.data !== null && areas.length === 0 && <p className="flow-empty">{t("flowDash.noAreas")}</p>}
      <section className="flow-cards">
        {areas.map((a) => (
          <AreaCard key={a.id} area={a} selected={a.id === areaId} onSelect={setSelected} />
        ))}
      </section>
      {area && (
        <section className="flow-main">
          <div className="flow-panel flow-panel-wide">
            <h2>{t("flowDash.seriesTitle", { area: area.name })}</h2>
            <EChart option={seriesOpt} testId="flow-series-chart" label={t("flowDash.seriesTitle", { area: area.name })} />
          </div>
          <div className="flow-panel">
            <h2>{t("flowDash.plan")}</h2>
            <SitePlan areas={areas} selected={areaId} onSelect={setSelected} />
            <div className="flow-legend">
              {[0, 1, 2, 3, 4].map((lv) => (
                <span key={lv} className={`flow-legend-item flow-tier-${lv}`}>{t(`flowDash.tier${lv}`)}</span>
              ))}
            </div>
          </div>
        </section>
      )}
      <section className="flow-grid">
        <div className="flow-panel">
          <h2>{t("flowDash.inOutTitle", { area: area?.name ?? "" })}</h2>
          <EChart option={inOutOpt} testId="flow-inout-chart" label={t("flowDash.inOutTitle", { area: area?.name ?? "" })} />
        </div>
        <div className="flow-panel">
          <h2>{t("flowDash.dwellTitle")}</h2>
          <EChart option={dwellOpt} testId="flow-dwell-chart" label={t("flowDash.dwellTitle")} />
        </div>
        <div className="flow-panel">
          <h2>{t("flowDash.odTitle")}</h2>
          <EChart option={odOpt} testId="flow-od-chart" label={t("flowDash.odTitle")} />
        </div>
        <div className="flow-panel">
          <h2>{t("flowDash.modesTitle")}</h2>
          <EChart option={modesOpt} testId="flow-modes-chart" label={t("flowDash.modesTitle")} />
        </div>
      </section>
      <p className="flow-foot">{t("flowDash.footnote")}</p>
    </div>
  );
}
