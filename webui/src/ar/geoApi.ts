/** Calls to `/api/geo/*` (AR video retrieval), through the shared ApiClient. */
import type { ApiClient } from "../api";

export type PtzKind = "fixed" | "mechanical" | "digital";

export interface PtzState {
  pan: number;
  tilt: number;
  zoom: number;
}

export interface Label {
  key: string;
  kind: string;
  id: string;
  name: string;
  name_en: string;
  x: number;
  y: number;
  distance_m: number;
  shown: boolean;
}

export interface Labels {
  camera_id: string;
  ptz: PtzKind;
  ptz_state: PtzState;
  crop: [number, number, number, number] | null;
  labels: Label[];
  /** The PTZ state follows the camera (ONVIF polling): fetch the labels again now and then. */
  live_ptz?: boolean;
}

export interface Covering {
  camera_id: string;
  name: string;
  distance_m: number;
  off_axis_deg: number;
  score: number;
}

export interface Located {
  east: number;
  north: number;
  lat: number;
  lon: number;
  cameras: Covering[];
}

export interface CameraPose {
  camera_id: string;
  name: string;
  east: number;
  north: number;
  up: number;
  yaw: number;
  pitch: number;
  hfov: number;
  width: number;
  height: number;
  range_m: number;
  ptz: PtzKind;
  lat: number;
  lon: number;
  error_px: number | null;
  fov: [number, number][];
  ptz_source?: PtzSource | null;
}

export interface PtzPollStatus {
  state: "starting" | "ok" | "error" | "disabled";
  polls: number;
  failures: number;
  backoff_s: number | null;
  last_ok_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  ptz_state: PtzState | null;
}

/** An ONVIF PTZ service polled for a mechanical PTZ camera's position (no password back). */
export interface PtzSource {
  camera_id: string;
  url: string;
  profile: string;
  username: string;
  has_password: boolean;
  interval_s: number;
  enabled: boolean;
  pan_min: number;
  pan_max: number;
  tilt_min: number;
  tilt_max: number;
  zoom_max: number;
  status: PtzPollStatus;
}

export interface Origin {
  name: string;
  lat: number;
  lon: number;
  alt?: number;
}

export interface Poi {
  id: string;
  name: string;
  name_en: string;
  kind: string;
  east: number;
  north: number;
  height: number;
  area_id: string | null;
}

export interface SiteMap {
  origin: Origin;
  cameras: CameraPose[];
  pois: Poi[];
  unplaced: string[];
}

export interface Pair {
  u: number;
  v: number;
  east: number;
  north: number;
  up: number;
}

export interface CalibrationResult {
  homography_error_px: number;
  homography_inliers: number;
  pose_error_px: number;
  saved: boolean;
}

export class GeoApi {
  constructor(private readonly api: ApiClient) {}

  private async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    const res = await this.api.request("GET", path, undefined, signal);
    return (await res.json()) as T;
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    const res = await this.api.request("POST", path, body);
    return (await res.json()) as T;
  }

  labels(cameraId: string, ptz: PtzState | null, signal?: AbortSignal): Promise<Labels> {
    const q = ptz ? `?pan=${ptz.pan}&tilt=${ptz.tilt}&zoom=${ptz.zoom}` : "";
    return this.get(`/api/geo/cameras/${encodeURIComponent(cameraId)}/labels${q}`, signal);
  }

  coverage(east: number, north: number, up: number, exclude: string): Promise<Covering[]> {
    const q = `east=${east}&north=${north}&up=${up}&exclude=${encodeURIComponent(exclude)}`;
    return this.get(`/api/geo/coverage?${q}`);
  }

  locate(cameraId: string, x: number, y: number, ptz: PtzState | null): Promise<Located> {
    return this.post(`/api/geo/cameras/${encodeURIComponent(cameraId)}/locate`,
      { x, y, ptz_state: ptz });
  }

  callup(cameraId: string, from: string | null, target: string): Promise<{ live: string }> {
    return this.post("/api/geo/callup", { camera_id: cameraId, from_camera_id: from, target });
  }

  map(signal?: AbortSignal): Promise<SiteMap> {
    return this.get("/api/geo/map", signal);
  }

  pose(cameraId: string, signal?: AbortSignal): Promise<CameraPose> {
    return this.get(`/api/geo/cameras/${encodeURIComponent(cameraId)}`, signal);
  }

  calibrate(cameraId: string, pairs: Pair[], width: number, height: number, save: boolean
  ): Promise<CalibrationResult> {
    return this.post(`/api/geo/cameras/${encodeURIComponent(cameraId)}/calibrate`,
      { pairs, width, height, save });
  }
}
