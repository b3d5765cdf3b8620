import { describe, expect, it } from "vitest";
import { warningOf } from "./AreaCard";
import type { FlowArea, FlowSummary } from "./flowApi";
import { gaugeOption, inOutOption, odOption, seriesOption } from "./options";
import { tierColor, tierOf } from "./tiers";

const label = (key: string) => key;

function area(over: Partial<FlowArea> = {}): FlowArea {
  return {
    id: "raffles",
    name: "来福士广场",
    name_en: "Raffles City",
    capacity: 1000,
    tiers: [1, 2, 3, 4].map((tier) => ({ tier, name_zh: "", name_en: "", threshold: [500, 700, 850, 1000][tier - 1] })),
    plan: [[0, 0], [10, 0], [10, 10]],
    simulated: true,
    count: 600,
    level: 1,
    at: "2026-11-21T08:00:00Z",
    inflow_15m: 10,
    outflow_15m: 5,
    forecast_15m: 650,
    forecast_30m: 720,
    forecast_60m: 900,
    forecast_tier: 3,
    ...over,
  };
}

describe("tiers", () => {
  it("maps counts to 蓝/黄/橙/红 by threshold", () => {
    expect(tierOf(499, [500, 700, 850, 1000])).toBe(0);
    expect(tierOf(850, [500, 700, 850, 1000])).toBe(3);
    expect(tierColor(4)).toBe("#ef4444");
  });
});

describe("early warning on the card", () => {
  it("names the first horizon that reaches a higher tier", () => {
    expect(warningOf(area())).toEqual({ minutes: 30, tier: 2 });
    expect(warningOf(area({ forecast_15m: 600, forecast_30m: 610, forecast_60m: 620 }))).toBeNull();
  });
});

describe("chart options", () => {
  it("colours the gauge ring by tier and shows the count", () => {
    const opt = gaugeOption(area(), label) as { series: { axisLine: { lineStyle: { color: [number, string][] } } }[] };
    const stops = opt.series[0].axisLine.lineStyle.color;
    expect(stops.map((s) => s[1])).toEqual(["#22c55e", "#3b82f6", "#facc15", "#f97316", "#ef4444"]);
  });

  it("draws the forecast band between lo and hi", () => {
    const fc = { area_id: "raffles", made_at: null, t: ["2026-11-21T08:00:00Z"], mean: [700], lo: [600], hi: [800], ahead_min: [15], method: "" };
    const opt = seriesOption(area(), null, fc, label) as { series: { data: [number, number][] }[] };
    expect(opt.series[1].data[0][1]).toBe(600);
    expect(opt.series[2].data[0][1]).toBe(200);
    expect(opt.series[3].data[0][1]).toBe(700);
  });

  it("draws the time axes on the district's clock (Asia/Shanghai), whatever the browser's zone", () => {
    const count = { area_id: "raffles", metric: "count", step_s: 300, simulated: false, t: ["2026-11-21T02:00:00Z"], values: [640] };
    const opt = seriesOption(area(), count, null, label) as { useUTC: boolean; series: { data: [number, number][] }[] };
    expect(opt.useUTC).toBe(true);
    // 02:00 UTC is 10:00 in Shanghai: the point sits at 10:00 of the UTC-drawn axis
    expect(new Date(opt.series[0].data[0][0]).toISOString()).toBe("2026-11-21T10:00:00.000Z");
    const bars = inOutOption(count, count, label) as { useUTC: boolean; series: { data: [number, number][] }[] };
    expect(bars.useUTC).toBe(true);
    expect(bars.series[1].data[0]).toEqual([Date.parse("2026-11-21T10:00:00Z"), -640]);
  });

  it("keeps the origin→destination sankey acyclic", () => {
    const summary: FlowSummary = {
      since: "", until: "", dwell_bins: [], dwell: {}, modes: {}, simulated: true,
      od: [{ source: "raffles", target: "metro", value: 5 }, { source: "metro", target: "raffles", value: 3 }],
    };
    const opt = odOption(summary, [area(), area({ id: "metro", name: "地铁站" })], label) as {
      series: { links: { source: string; target: string }[] }[];
    };
    const links = opt.series[0].links;
    expect(links.every((l) => l.source.endsWith("flowDash.from") && l.target.endsWith("flowDash.to"))).toBe(true);
  });
});
