/** Pure builders of the dashboard's ECharts options (unit-tested without a canvas). */
import type { EChartsCoreOption } from "echarts/core";
import { districtWallClockMs } from "../districtTime";
import type { FlowArea, FlowForecast, FlowSeries, FlowSummary } from "./flowApi";
import { TIER_COLORS, tierColor } from "./tiers";

const TEXT = "#e8eef9";
const MUTED = "#9fb1d1";
const GRID_LINE = "#233a66";
const AXIS = {
  axisLine: { lineStyle: { color: GRID_LINE } },
  axisLabel: { color: MUTED, fontSize: 13 },
  splitLine: { lineStyle: { color: GRID_LINE, opacity: 0.5 } },
};

type Label = (key: string, vars?: Record<string, unknown>) => string;

/** Now vs capacity: a gauge whose ring is coloured by the area's tiers. */
export function gaugeOption(area: FlowArea, label: Label): EChartsCoreOption {
  const max = area.capacity * 1.1;
  const stops: [number, string][] = [];
  let prev = 0;
  area.tiers.forEach((tier) => {
    stops.push([Math.min(tier.threshold / max, 1), TIER_COLORS[tier.tier - 1]]);
    prev = tier.tier;
  });
  stops.push([1, TIER_COLORS[prev]]);
  const value = Math.round(area.count ?? 0);
  return {
    series: [
      {
        type: "gauge",
        min: 0,
        max: Math.round(max),
        radius: "92%",
        center: ["50%", "58%"],
        startAngle: 210,
        endAngle: -30,
        axisLine: { lineStyle: { width: 14, color: stops } },
        pointer: { width: 5, itemStyle: { color: tierColor(area.level) } },
        axisTick: { show: false },
        splitLine: { length: 10, lineStyle: { color: "#0a1428", width: 2 } },
        axisLabel: { show: false },
        detail: {
          valueAnimation: false,
          formatter: () => `${value.toLocaleString()}`,
          color: TEXT,
          fontSize: 26,
          fontWeight: "bold",
          offsetCenter: [0, "30%"],
        },
        title: { color: MUTED, fontSize: 13, offsetCenter: [0, "62%"] },
        data: [{ value, name: label("flowDash.ofCapacity", { capacity: area.capacity.toLocaleString() }) }],
      },
    ],
  };
}

/**
 * Time-axis points. The charts are drawn with `useUTC: true` on the district's wall-clock time
 * (districtWallClockMs), so the axis ticks, its labels and the tooltips read Asia/Shanghai time
 * like the rest of the UI, in whatever zone the browser runs.
 */
const pairs = (t: string[], v: number[]): [number, number][] =>
  t.map((x, i) => [districtWallClockMs(x), v[i]]);

/** The count series with the forecast and its 80 % band, and the tier thresholds as lines. */
export function seriesOption(
  area: FlowArea,
  series: FlowSeries | null,
  forecast: FlowForecast | null,
  label: Label,
): EChartsCoreOption {
  const fc = forecast && forecast.t.length > 0 ? forecast : null;
  const mid = (t: string) => new Date(new Date(t).getTime() + 7.5 * 60_000).toISOString();
  const fcT = fc ? fc.t.map(mid) : [];
  const marks = area.tiers.map((tier) => ({
    yAxis: Math.round(tier.threshold),
    lineStyle: { color: TIER_COLORS[tier.tier], type: "dashed", width: 1.5 },
    label: { color: TIER_COLORS[tier.tier], formatter: label(`flowDash.tier${tier.tier}`), position: "insideEndTop" },
  }));
  return {
    animation: false,
    useUTC: true,
    grid: { left: 60, right: 24, top: 36, bottom: 32 },
    legend: {
      top: 0,
      textStyle: { color: MUTED, fontSize: 13 },
      data: [label("flowDash.observed"), label("flowDash.forecast"), label("flowDash.band")],
    },
    tooltip: { trigger: "axis" },
    xAxis: { type: "time", ...AXIS, splitLine: { show: false } },
    yAxis: { type: "value", ...AXIS, name: label("flowDash.people"), nameTextStyle: { color: MUTED } },
    series: [
      {
        name: label("flowDash.observed"),
        type: "line",
        showSymbol: false,
        data: series ? pairs(series.t, series.values) : [],
        lineStyle: { color: "#38bdf8", width: 2 },
        itemStyle: { color: "#38bdf8" },
        markLine: { symbol: "none", silent: true, data: marks },
      },
      {
        name: "band-lo",
        type: "line",
        stack: "band",
        showSymbol: false,
        data: fc ? pairs(fcT, fc.lo) : [],
        lineStyle: { opacity: 0 },
        tooltip: { show: false },
      },
      {
        name: label("flowDash.band"),
        type: "line",
        stack: "band",
        showSymbol: false,
        data: fc ? pairs(fcT, fc.hi.map((h, i) => h - fc.lo[i])) : [],
        lineStyle: { opacity: 0 },
        areaStyle: { color: "rgba(250, 204, 21, 0.22)" },
        itemStyle: { color: "rgba(250, 204, 21, 0.5)" },
      },
      {
        name: label("flowDash.forecast"),
        type: "line",
        data: fc ? pairs(fcT, fc.mean) : [],
        lineStyle: { color: "#facc15", width: 2, type: "dashed" },
        itemStyle: { color: "#facc15" },
      },
    ],
  };
}

/** Entries (up) and exits (down) per step. */
export function inOutOption(inflow: FlowSeries | null, outflow: FlowSeries | null, label: Label): EChartsCoreOption {
  return {
    animation: false,
    useUTC: true,
    grid: { left: 56, right: 16, top: 32, bottom: 28 },
    legend: { top: 0, textStyle: { color: MUTED, fontSize: 13 } },
    tooltip: { trigger: "axis" },
    xAxis: { type: "time", ...AXIS, splitLine: { show: false } },
    yAxis: { type: "value", ...AXIS },
    series: [
      { name: label("flowDash.in"), type: "bar", data: inflow ? pairs(inflow.t, inflow.values) : [], itemStyle: { color: "#22c55e" } },
      {
        name: label("flowDash.out"),
        type: "bar",
        data: outflow ? pairs(outflow.t, outflow.values.map((v) => -v)) : [],
        itemStyle: { color: "#38bdf8" },
      },
    ],
  };
}

/** Dwell-time distribution per area (share of visits in each bin). */
export function dwellOption(summary: FlowSummary | null, areas: FlowArea[], label: Label): EChartsCoreOption {
  const bins = summary?.dwell_bins ?? [];
  return {
    animation: false,
    grid: { left: 48, right: 16, top: 36, bottom: 28 },
    legend: { top: 0, textStyle: { color: MUTED, fontSize: 12 } },
    tooltip: { trigger: "axis", valueFormatter: (v: unknown) => `${Number(v).toFixed(1)}%` },
    xAxis: {
      type: "category",
      data: bins.map((b) => label(`flowDash.dwellBins.${b}`)),
      ...AXIS,
      axisLabel: { color: MUTED, fontSize: 12, interval: 0 },
    },
    yAxis: { type: "value", ...AXIS, axisLabel: { color: MUTED, formatter: "{value}%" } },
    series: areas.map((a) => {
      const row = summary?.dwell[a.id] ?? [];
      const total = row.reduce((x, y) => x + y, 0) || 1;
      return { name: a.name, type: "bar", data: row.map((v) => (100 * v) / total) };
    }),
  };
}

/** Origin → destination between areas as a sankey (origins left, destinations right). */
export function odOption(summary: FlowSummary | null, areas: FlowArea[], label: Label): EChartsCoreOption {
  const name = (id: string) => areas.find((a) => a.id === id)?.name ?? id;
  const links = (summary?.od ?? []).map((l) => ({
    source: `${name(l.source)} ${label("flowDash.from")}`,
    target: `${name(l.target)} ${label("flowDash.to")}`,
    value: Math.round(l.value),
  }));
  const nodes = [...new Set(links.flatMap((l) => [l.source, l.target]))].map((n) => ({ name: n }));
  return {
    animation: false,
    tooltip: { trigger: "item" },
    series: [
      {
        type: "sankey",
        left: 8,
        right: 150,
        top: 12,
        bottom: 12,
        nodeGap: 10,
        data: nodes,
        links,
        label: { color: TEXT, fontSize: 13 },
        lineStyle: { color: "gradient", opacity: 0.45 },
        emphasis: { focus: "adjacency" },
      },
    ],
  };
}

const MODE_COLORS = ["#38bdf8", "#a78bfa", "#f472b6"];

/** Travel modes (pedestrian / bicycle / vehicle) per area, as stacked shares. */
export function modesOption(summary: FlowSummary | null, areas: FlowArea[], label: Label): EChartsCoreOption {
  const modes = ["mode_pedestrian", "mode_bicycle", "mode_vehicle"];
  const totals = areas.map((a) => modes.reduce((s, m) => s + (summary?.modes[a.id]?.[m] ?? 0), 0) || 1);
  return {
    animation: false,
    grid: { left: 120, right: 24, top: 32, bottom: 24 },
    legend: { top: 0, textStyle: { color: MUTED, fontSize: 12 } },
    tooltip: { trigger: "axis", valueFormatter: (v: unknown) => `${Number(v).toFixed(1)}%` },
    xAxis: { type: "value", max: 100, ...AXIS, axisLabel: { color: MUTED, formatter: "{value}%" } },
    yAxis: { type: "category", data: areas.map((a) => a.name), ...AXIS },
    series: modes.map((m, k) => ({
      name: label(`flowDash.modes.${m}`),
      type: "bar",
      stack: "modes",
      itemStyle: { color: MODE_COLORS[k] },
      data: areas.map((a, i) => (100 * (summary?.modes[a.id]?.[m] ?? 0)) / totals[i]),
    })),
  };
}
