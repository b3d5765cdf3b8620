/** Shapes exchanged with the CityEye backend (/api). Keep in sync with the server's pydantic models. */

export type Role = "patroller" | "duty_officer" | "commander" | "admin";

export const ROLES: readonly Role[] = ["patroller", "duty_officer", "commander", "admin"];

export interface User {
  username: string;
  display_name: string;
  role: Role;
  unit_id: string;
  unit_name: string;
}

export interface LoginResponse {
  access_token: string;
  token_type: "bearer";
  user: User;
}

export type CameraStatus = "connecting" | "online" | "stalled" | "offline" | "error" | "disabled";

export const CAMERA_STATUSES: readonly CameraStatus[] = [
  "connecting",
  "online",
  "stalled",
  "offline",
  "error",
  "disabled",
];

/** Normalised (x, y) point, both in [0, 1] relative to the frame. */
export type Point = [number, number];

export interface Zone {
  id: string;
  name: string;
  polygon: Point[];
  restricted: boolean;
}

export interface Line {
  id: string;
  name: string;
  a: Point;
  b: Point;
  in_name: string;
  out_name: string;
}

export interface CameraHealth {
  fps_in: number;
  fps_decoded: number;
  frames_decoded: number;
  drops: number;
  reconnects: number;
  bytes_in: number;
  width: number | null;
  height: number | null;
  codec: string | null;
}

export interface Camera {
  id: string;
  name: string;
  url: string;
  unit_id: string;
  unit_name: string;
  lat: number | null;
  lon: number | null;
  enabled: boolean;
  analysis_fps: number;
  analysis_width: number;
  loop: boolean;
  transport: "tcp" | "udp";
  zones: Zone[];
  lines: Line[];
  /** The camera's analysis rules (always sent by the server; optional for older fixtures). */
  rules?: CameraRules;
  status: CameraStatus;
  last_error: string | null;
  health: CameraHealth | null;
}

/** Body of POST /api/cameras. */
export interface CameraCreate {
  id: string;
  name: string;
  url: string;
  unit: string;
  analysis_fps: number;
  loop: boolean;
}

/** Body of PATCH /api/cameras/{id}: only the changed fields are sent. */
export interface CameraUpdate {
  name?: string;
  url?: string;
  enabled?: boolean;
  unit?: string;
  analysis_fps?: number;
  zones?: Zone[];
  lines?: Line[];
  rules?: CameraRules;
}

/**
 * One rule of a camera (vision/rules/config.py): `zone` or `line` names what it watches,
 * `thresholds` ascend through the tiers 1–4 (蓝/黄/橙/红). Other fields are kept as they are.
 */
export interface RuleSpec {
  [field: string]: unknown;
  id?: string | null;
  enabled?: boolean;
  zone?: string | null;
  line?: string;
  thresholds?: number[];
  tiers?: number[] | null;
  base_tier?: number;
  direction?: "in" | "out" | "both";
  metric?: "count" | "density";
}

/** PATCH /api/cameras/{id} `rules` (RulesConfig). */
export interface CameraRules {
  overcrowding?: RuleSpec[];
  intrusion?: RuleSpec[];
  line_crossing?: RuleSpec[];
  loitering?: RuleSpec[];
  gathering?: RuleSpec[];
  vehicle_flow?: RuleSpec[];
  auto_intrusion?: boolean;
}

export interface Unit {
  id: string;
  name: string;
  parent_id: string | null;
  /** false for the units above the user's own: names to show, not dispatch targets */
  in_scope: boolean;
}

export interface Health {
  status: string;
  version: string;
  cameras_online: number;
  cameras_total: number;
  models_loaded: string[];
  bus: string;
  database: string;
}

/** One entry of a FastAPI / pydantic validation error list. */
export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

export type ErrorDetail = string | ValidationIssue[];
