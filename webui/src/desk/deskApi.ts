/** The desk's calls to the backend, through the shared ApiClient (token, errors, 401). */
import { ApiError, type ApiClient } from "../api";
import type { ActionBody, Alert, AlertDetail, AlertStats, DeskPolicy } from "./types";

export interface AlertListQuery {
  active?: boolean;
  since?: string;
  limit?: number;
}

function query(q: AlertListQuery): string {
  const p = new URLSearchParams();
  if (q.active !== undefined) p.set("active", String(q.active));
  if (q.since) p.set("since", q.since);
  p.set("limit", String(q.limit ?? 500));
  return p.toString();
}

/** A drawing-board PNG kept as evidence of an alert (`url` serves the full size). */
export interface BoardExport {
  id: number;
  board_id: string;
  board_title: string;
  alert_id: string;
  url: string;
  created_by: string;
  created_at: string;
}

export class DeskApi {
  constructor(private readonly api: ApiClient) {}

  async alerts(q: AlertListQuery, signal?: AbortSignal): Promise<Alert[]> {
    const res = await this.api.request("GET", `/api/alerts?${query(q)}`, undefined, signal);
    return (await res.json()) as Alert[];
  }

  async alert(id: string, signal?: AbortSignal): Promise<AlertDetail> {
    const res = await this.api.request("GET", `/api/alerts/${id}`, undefined, signal);
    return (await res.json()) as AlertDetail;
  }

  async stats(signal?: AbortSignal): Promise<AlertStats> {
    const res = await this.api.request("GET", "/api/alerts/stats", undefined, signal);
    return (await res.json()) as AlertStats;
  }

  async policy(signal?: AbortSignal): Promise<DeskPolicy> {
    const res = await this.api.request("GET", "/api/desk/policy", undefined, signal);
    return (await res.json()) as DeskPolicy;
  }

  async act(id: string, action: ActionBody): Promise<Alert> {
    const res = await this.api.request("POST", `/api/alerts/${id}/${action.action}`, action.body);
    return (await res.json()) as Alert;
  }

  /** The event's JPEG, or null while it has none (the recorder may still be saving it). */
  async snapshot(eventId: string, signal?: AbortSignal): Promise<Blob | null> {
    try {
      const res = await this.api.request("GET", `/api/events/${eventId}/snapshot.jpg`, undefined, signal);
      return await res.blob();
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  }

  /** Board exports attached to the alert, newest first. */
  async exports(alertId: string, signal?: AbortSignal): Promise<BoardExport[]> {
    const res = await this.api.request("GET", `/api/alerts/${alertId}/exports`, undefined, signal);
    return (await res.json()) as BoardExport[];
  }

  /** One export's PNG (fetched with the token). */
  async exportPng(url: string, signal?: AbortSignal): Promise<Blob> {
    return await (await this.api.request("GET", url, undefined, signal)).blob();
  }

  /** The event's clip for <video src> / download (the token rides in the query). */
  clipUrl(eventId: string): string {
    const token = encodeURIComponent(this.api.getToken() ?? "");
    return `/api/recordings/clips/${encodeURIComponent(eventId)}?token=${token}`;
  }

  /** Whether the event's clip is cut: "ready" when served, "pending" on 404 (not cut yet, or
   * none), "off" when recording is not running (503). Reads only the headers. */
  async clipStatus(eventId: string, signal?: AbortSignal): Promise<"ready" | "pending" | "off"> {
    const controller = new AbortController();
    const stop = () => controller.abort();
    signal?.addEventListener("abort", stop);
    try {
      await this.api.request("GET", `/api/recordings/clips/${encodeURIComponent(eventId)}`,
        undefined, controller.signal);
      return "ready";
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return "pending";
      if (err instanceof ApiError && err.status === 503) return "off";
      throw err;
    } finally {
      controller.abort();  // the body is not needed: the <video> fetches it
      signal?.removeEventListener("abort", stop);
    }
  }

  /** The alert's board over its recorded time range (made on first use); returns its id. */
  async rangeBoard(alertId: string, title: string): Promise<{ id: string; camera_id: string }> {
    const q = new URLSearchParams({ alert_id: alertId });
    const res = await this.api.request("GET", `/api/boards?${q.toString()}`);
    const boards = (await res.json()) as { id: string; camera_id: string; kind: string }[];
    const existing = boards.find((b) => b.kind === "range");
    if (existing) return existing;
    const made = await this.api.request("POST", "/api/boards",
      { alert_id: alertId, kind: "range", title });
    return (await made.json()) as { id: string; camera_id: string };
  }

  /** ws(s)://host/api/ws/desk?token=… for the current page and session. */
  socketUrl(loc: Pick<Location, "protocol" | "host"> = window.location): string | null {
    const token = this.api.getToken();
    if (!token) return null;
    const scheme = loc.protocol === "https:" ? "wss" : "ws";
    return `${scheme}://${loc.host}/api/ws/desk?token=${encodeURIComponent(token)}`;
  }
}
