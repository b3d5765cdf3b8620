/** The Markers API through the shared ApiClient (token, errors, 401). */
import type { ApiClient } from "../api";
import type { Marker, MarkerCreate, MarkerPatch, MarkerQuery } from "./types";

export function markerQuery(q: MarkerQuery): string {
  const p = new URLSearchParams();
  p.set("camera_id", q.camera_id);
  if (q.since !== undefined) p.set("since", String(q.since));
  if (q.until !== undefined) p.set("until", String(q.until));
  if (q.kind) p.set("kind", q.kind);
  if (q.author) p.set("author", q.author);
  if (q.tier !== undefined) p.set("tier", String(q.tier));
  p.set("limit", String(q.limit ?? 1000));
  return p.toString();
}

export class MarkersApi {
  constructor(private readonly api: ApiClient) {}

  async list(q: MarkerQuery, signal?: AbortSignal): Promise<Marker[]> {
    const res = await this.api.request("GET", `/api/markers?${markerQuery(q)}`, undefined, signal);
    return (await res.json()) as Marker[];
  }

  async create(body: MarkerCreate): Promise<Marker> {
    const res = await this.api.request("POST", "/api/markers", body);
    return (await res.json()) as Marker;
  }

  async update(id: number, patch: MarkerPatch): Promise<Marker> {
    const res = await this.api.request("PATCH", `/api/markers/${id}`, patch);
    return (await res.json()) as Marker;
  }

  async remove(id: number): Promise<void> {
    await this.api.request("DELETE", `/api/markers/${id}`);
  }

  /** ws(s)://host/api/markers/ws?camera_id=…&token=… for the current page and session. */
  socketUrl(cameraId: string, loc: Pick<Location, "protocol" | "host"> = window.location): string | null {
    const token = this.api.getToken();
    if (!token) return null;
    const scheme = loc.protocol === "https:" ? "wss" : "ws";
    const q = new URLSearchParams({ camera_id: cameraId, token });
    return `${scheme}://${loc.host}/api/markers/ws?${q.toString()}`;
  }
}
