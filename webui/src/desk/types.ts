/** Wire types of the duty desk (/api/alerts, /api/ws/desk, /api/desk/*); mirror desk/model.py. */
import type { Role } from "../types";

export type AlertState = "new" | "acknowledged" | "dispatched" | "resolved" | "closed" | "dismissed";
export const ALERT_STATES: readonly AlertState[] = [
  "new",
  "acknowledged",
  "dispatched",
  "resolved",
  "closed",
  "dismissed",
];
export const ACTIVE_STATES: readonly AlertState[] = ["new", "acknowledged", "dispatched"];

export type DeskAction = "ack" | "dispatch" | "resolve" | "close" | "dismiss";
export const DESK_ACTIONS: readonly DeskAction[] = ["ack", "dispatch", "resolve", "close", "dismiss"];

/** 1–4 = 蓝 / 黄 / 橙 / 红 (IV to I). */
export type Tier = 1 | 2 | 3 | 4;
export const TIERS: readonly Tier[] = [4, 3, 2, 1];

export interface Alert {
  id: string;
  camera_id: string;
  camera_name: string;
  unit_id: string;
  unit_name: string;
  kind: string;
  rule_id: string;
  zone_id: string | null;
  line_id: string | null;
  message: string;
  tier: Tier;
  raised_tier: Tier;
  state: AlertState;
  event_count: number;
  suppressed: number;
  first_event_id: string;
  last_event_id: string;
  snapshot_event_id: string | null;
  first_event_at: string;
  last_event_at: string;
  created_at: string;
  updated_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  dispatched_at: string | null;
  dispatched_by: string | null;
  dispatch_unit: string | null;
  dispatch_unit_name: string | null;
  dispatch_assignee: string | null;
  dispatch_instructions: string;
  due_at: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
  resolution_note: string;
  closed_at: string | null;
  closed_by: string | null;
  close_note: string;
  dismissed_at: string | null;
  dismissed_by: string | null;
  dismiss_reason: string;
  escalation_level: number;
  escalated_at: string | null;
  escalated_to: string | null;
  overdue: boolean;
  overdue_at: string | null;
  notify_units: string[];
  version: number;
}

export type StepKind =
  | "created"
  | "tier_raised"
  | "escalated"
  | "overdue"
  | "ack"
  | "dispatch"
  | "resolve"
  | "close"
  | "dismiss";

export interface AlertStep {
  at: string;
  kind: StepKind;
  actor: string;
  actor_name: string;
  from_state: AlertState | null;
  to_state: AlertState | null;
  note: string;
  tier: number | null;
}

export interface AlertDetail extends Alert {
  steps: AlertStep[];
}

export type Change = StepKind | "updated";

export interface DeskMessage {
  type: "alert" | "dropped";
  change: Change | null;
  alert: Alert | null;
  notify_role: string | null;
  dropped: number | null;
}

export interface AlertStats {
  since: string;
  until: string;
  total: number;
  by_kind: Record<string, number>;
  by_tier: Record<string, number>;
  by_state: Record<string, number>;
  dismissed_by_rule: Record<string, number>;
  mean_ack_s: number | null;
  mean_resolve_s: number | null;
  escalated: number;
  overdue: number;
  open_now: number;
  overdue_now: number;
}

export interface EscalationLevel {
  after_s: number;
  notify_role: Role;
  notify: string[];
  raise_tier: number;
}

export interface DeskPolicy {
  cooldown_s: number;
  overdue_after_s: number;
  escalation: EscalationLevel[];
  timezone: string;
}

export interface DispatchBody {
  unit: string | null;
  assignee: string | null;
  instructions: string;
  deadline_minutes: number | null;
}

export type ActionBody =
  | { action: "ack"; body: { note: string } }
  | { action: "dispatch"; body: DispatchBody }
  | { action: "resolve"; body: { note: string } }
  | { action: "close"; body: { note: string } }
  | { action: "dismiss"; body: { reason: string } };
