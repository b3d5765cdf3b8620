/** The board's calls to the backend, through the shared ApiClient (token, errors, 401). */
import { ApiError, type ApiClient } from "../api";
import type { RecordedSegment } from "./rangeModel";

export interface Presence {
  client_id: number;
  name: string;
  color: string;
}

export interface Board {
  id: string;
  title: string;
  camera_id: string;
  alert_id: string | null;
  kind: "live" | "frame" | "range";
  frame_at: string | null;
  /** End of the recorded time range (range boards: [frame_at, range_end]). */
  range_end: string | null;
  has_frame: boolean;
  edit_role: string;
  created_by: string;
  created_at: string;
  can_edit: boolean;
  ws_path: string;
  presence: Presence[];
}

export interface TimelinePoint {
  at: string;
  username: string;
}

export interface BoardAt {
  board_id: string;
  at: string;
  updates: number;
  elements: Record<string, unknown>[];
}

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw new ApiError(res.status, []);
  return (await res.json()) as T;
}

export class BoardApi {
  constructor(private readonly api: ApiClient) {}

  async list(cameraId: string, signal?: AbortSignal): Promise<Board[]> {
    const q = new URLSearchParams({ camera_id: cameraId });
    return json(await this.api.request("GET", `/api/boards?${q.toString()}`, undefined, signal));
  }

  async create(cameraId: string, title: string, editRole: string): Promise<Board> {
    return json(await this.api.request("POST", "/api/boards",
      { camera_id: cameraId, title, edit_role: editRole }));
  }

  async timeline(id: string): Promise<TimelinePoint[]> {
    return json(await this.api.request("GET", `/api/boards/${id}/timeline`));
  }

  async history(id: string, at: string): Promise<BoardAt> {
    const q = new URLSearchParams({ at });
    return json(await this.api.request("GET", `/api/boards/${id}/history?${q.toString()}`));
  }

  async exportPng(id: string): Promise<Blob> {
    const res = await this.api.request("GET", `/api/boards/${id}/export.png`);
    if (!res.ok) throw new ApiError(res.status, []);
    return res.blob();
  }

  async frame(id: string): Promise<Blob> {
    const res = await this.api.request("GET", `/api/boards/${id}/frame.jpg`);
    if (!res.ok) throw new ApiError(res.status, []);
    return res.blob();
  }

  async saveEvidence(id: string): Promise<{ id: number; url: string }> {
    return json(await this.api.request("POST", `/api/boards/${id}/exports`, {}));
  }

  /** The camera's recorded segments overlapping [since, until] (epoch seconds). */
  async segments(cameraId: string, since: number, until: number,
    signal?: AbortSignal): Promise<RecordedSegment[]> {
    const q = new URLSearchParams({ since: String(since), until: String(until) });
    return json(await this.api.request("GET",
      `/api/recordings/${encodeURIComponent(cameraId)}/segments?${q.toString()}`, undefined, signal));
  }

  /** A recording URL with the session token, for <video src> (which cannot send a header). */
  mediaUrl(url: string): string {
    const sep = url.includes("?") ? "&" : "?";
    return `${url}${sep}token=${encodeURIComponent(this.api.getToken() ?? "")}`;
  }

  /** y-websocket's server URL and room: `${server}/${room}?token=…` is the board socket. */
  socket(id: string, loc: Pick<Location, "protocol" | "host"> = window.location):
    { server: string; room: string; token: string } | null {
    const token = this.api.getToken();
    if (!token) return null;
    const scheme = loc.protocol === "https:" ? "wss" : "ws";
    return { server: `${scheme}://${loc.host}/api/boards`, room: `${id}/ws`, token };
  }
}
