/** The Recording API (recording/) through the shared ApiClient. */
import type { ApiClient } from "../api";
import type { Bucket } from "../danmaku/timeline";

export interface Segment {
  id: number;
  camera_id: string;
  /** Wall-clock epoch seconds of its first frame. */
  start: number;
  /** null while it is still being written. */
  end: number | null;
  duration: number | null;
  bytes: number;
  width: number | null;
  height: number | null;
  codec: string | null;
  /** Still being written: its end and size grow. */
  open?: boolean;
  /** The video URL (add `?token=` for a <video src>). */
  url: string;
}

export interface TimelineData {
  since: number;
  until: number;
  coverage: [number, number][];
  buckets: Bucket[];
}

const cam = (id: string) => `/api/recordings/${encodeURIComponent(id)}`;

export class RecordingApi {
  constructor(private readonly api: ApiClient) {}

  async segments(cameraId: string, since: number, until: number, signal?: AbortSignal): Promise<Segment[]> {
    const q = new URLSearchParams({ since: String(since), until: String(until) });
    const res = await this.api.request("GET", `${cam(cameraId)}/segments?${q.toString()}`, undefined, signal);
    return (await res.json()) as Segment[];
  }

  async timeline(cameraId: string, since: number, until: number, buckets = 96,
    signal?: AbortSignal): Promise<TimelineData> {
    const q = new URLSearchParams({ since: String(since), until: String(until), buckets: String(buckets) });
    const res = await this.api.request("GET", `${cam(cameraId)}/timeline?${q.toString()}`, undefined, signal);
    return (await res.json()) as TimelineData;
  }

  /** The segment's video URL with the session token, for <video src>. */
  videoSrc(segment: Segment, reload = 0): string {
    const token = this.api.getToken() ?? "";
    const sep = segment.url.includes("?") ? "&" : "?";
    const again = reload > 0 ? `&reload=${reload}` : "";
    return `${segment.url}${sep}token=${encodeURIComponent(token)}${again}`;
  }
}
