/** The crowd-flow dashboard's calls to `/api/flow/*`, through the shared ApiClient. */
import type { ApiClient } from "../api";

export interface Tier {
  tier: number;
  name_zh: string;
  name_en: string;
  threshold: number;
}

export interface FlowArea {
  id: string;
  name: string;
  name_en: string;
  capacity: number;
  tiers: Tier[];
  plan: [number, number][];
  simulated: boolean;
  count: number | null;
  level: number;
  at: string | null;
  inflow_15m: number;
  outflow_15m: number;
  forecast_15m: number | null;
  forecast_30m: number | null;
  forecast_60m: number | null;
  forecast_tier: number;
}

export interface FlowSeries {
  area_id: string;
  metric: string;
  step_s: number;
  simulated: boolean;
  t: string[];
  values: number[];
}

export interface FlowForecast {
  area_id: string;
  made_at: string | null;
  t: string[];
  mean: number[];
  lo: number[];
  hi: number[];
  ahead_min: number[];
  method: string;
}

export interface OdLink {
  source: string;
  target: string;
  value: number;
}

export interface FlowSummary {
  since: string;
  until: string;
  dwell_bins: string[];
  dwell: Record<string, number[]>;
  modes: Record<string, Record<string, number>>;
  od: OdLink[];
  simulated: boolean;
}

export interface SeriesQuery {
  metric: string;
  since: Date;
  until?: Date;
  step?: "1m" | "15m" | "1h";
}

export class FlowApi {
  constructor(private readonly api: ApiClient) {}

  private async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    const res = await this.api.request("GET", path, undefined, signal);
    return (await res.json()) as T;
  }

  areas(signal?: AbortSignal): Promise<FlowArea[]> {
    return this.get("/api/flow/areas", signal);
  }

  series(areaId: string, q: SeriesQuery, signal?: AbortSignal): Promise<FlowSeries> {
    const p = new URLSearchParams({ metric: q.metric, since: q.since.toISOString() });
    if (q.until) p.set("until", q.until.toISOString());
    if (q.step) p.set("step", q.step);
    return this.get(`/api/flow/areas/${encodeURIComponent(areaId)}/series?${p}`, signal);
  }

  forecast(areaId: string, signal?: AbortSignal): Promise<FlowForecast> {
    return this.get(`/api/flow/areas/${encodeURIComponent(areaId)}/forecast`, signal);
  }

  summary(since: Date, signal?: AbortSignal): Promise<FlowSummary> {
    return this.get(`/api/flow/summary?since=${encodeURIComponent(since.toISOString())}`, signal);
  }
}
