/** Patrol tours (轮巡) of the patrol API, through the shared ApiClient. */
import type { ApiClient } from "../api";
import type { Marker } from "../danmaku/types";

export interface Tour {
  id: number;
  name: string;
  camera_ids: string[];
  dwell_s: number;
  created_by: string;
  created_at?: string;
  updated_at?: string;
}

export interface TourIn {
  name: string;
  camera_ids: string[];
  dwell_s: number;
}

export type ItemStatus = "pending" | "normal" | "issue";

export interface ItemSummary {
  markers: number;
  by_tier: Record<string, number>;
  latest: Marker[];
}

export interface TourRunItem {
  camera_id: string;
  camera_name: string;
  status: ItemStatus;
  note: string;
  marker_id: number | null;
  checked_at: string | null;
  summary: ItemSummary;
}

export interface TourRun {
  id: number;
  tour_id: number;
  tour_name: string;
  started_by: string;
  started_at: string;
  finished_at: string | null;
  since: string | null;
  items: TourRunItem[];
}

export class ToursApi {
  constructor(private readonly api: ApiClient) {}

  private async json<T>(method: "GET" | "POST" | "PATCH", path: string, body?: unknown,
    signal?: AbortSignal): Promise<T> {
    const res = await this.api.request(method, path, body, signal);
    return (await res.json()) as T;
  }

  list(signal?: AbortSignal): Promise<Tour[]> {
    return this.json("GET", "/api/tours", undefined, signal);
  }

  create(body: TourIn): Promise<Tour> {
    return this.json("POST", "/api/tours", body);
  }

  update(id: number, body: Partial<TourIn>): Promise<Tour> {
    return this.json("PATCH", `/api/tours/${id}`, body);
  }

  async remove(id: number): Promise<void> {
    await this.api.request("DELETE", `/api/tours/${id}`);
  }

  start(tourId: number): Promise<TourRun> {
    return this.json("POST", `/api/tours/${tourId}/runs`);
  }

  runs(tourId: number, signal?: AbortSignal): Promise<TourRun[]> {
    return this.json("GET", `/api/tours/${tourId}/runs`, undefined, signal);
  }

  run(runId: number, signal?: AbortSignal): Promise<TourRun> {
    return this.json("GET", `/api/tour-runs/${runId}`, undefined, signal);
  }

  mark(runId: number, cameraId: string, status: "normal" | "issue", note: string): Promise<TourRun> {
    return this.json("POST", `/api/tour-runs/${runId}/items/${encodeURIComponent(cameraId)}`,
      { status, note });
  }

  finish(runId: number): Promise<TourRun> {
    return this.json("POST", `/api/tour-runs/${runId}/finish`);
  }
}
