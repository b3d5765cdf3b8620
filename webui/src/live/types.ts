/** Live-video shapes exchanged with the backend (streams/webrtc). Keep in sync with its pydantic models. */
/** GET /api/cameras/{id}/live (also inside the data channel's stats). */
export interface LiveStatus {
  camera_id: string;
  camera_status: string;
  last_error: string | null;
  /** Relay mode: "passthrough" (camera's H.264 as is), "encode", "starting" or "idle". */
  mode: string;
  viewers: number;
  webrtc_viewers: number;
  mjpeg_viewers: number;
  fps_in: number;
  codec: string | null;
  width: number | null;
  height: number | null;
}

/** Overlay metadata of one analysed frame; coordinates are normalised to the frame (0..1). */
export interface OverlayBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  label: string;
  score: number;
  track_id?: number | null;
}

export interface OverlayZone {
  zone_id: string;
  count: number;
  alert: boolean;
}

export interface OverlayLine {
  line_id: string;
  in_count: number;
  out_count: number;
}

export interface OverlayRule {
  rule_id: string;
  kind: string;
  state: string;
  tier: number;
  message: string;
  zone_id?: string | null;
  line_id?: string | null;
}

export interface Heatmap {
  width: number;
  height: number;
  /** Row-major, 0..255. */
  cells: number[];
}

/** `ticks` is the frame's pts on the 90 kHz video clock; RTP timestamp = origin + ticks. */
export interface OverlayMessage {
  type: "overlay";
  ticks: number;
  camera_id: string;
  pts: number;
  people?: number | null;
  boxes: OverlayBox[];
  zones: OverlayZone[];
  lines: OverlayLine[];
  rules: OverlayRule[];
  heatmap?: Heatmap | null;
}

export interface ClockMessage {
  type: "clock";
  origin: number;
  ticks: number;
  captured_at: number;
  server_time: number;
}

export interface StatsMessage {
  type: "stats";
  session_id: string;
  frames_sent: number;
  skipped: number;
  live: LiveStatus;
}

export interface PongMessage {
  type: "pong";
  id: number;
  t: number;
  server_time: number;
}

export type LiveMessage = OverlayMessage | ClockMessage | StatsMessage | PongMessage;
