/** Pure desk logic: ordering, merging live updates, views and filters, who may do what. */
import type { Role } from "../types";
import { ACTIVE_STATES, type Alert, type AlertState, type DeskAction, type DeskMessage, type Tier } from "./types";

export type DeskView = "queue" | "overdue" | "handled";

export interface DeskFilters {
  tiers: ReadonlySet<Tier>;
  kind: string | null;
  text: string;
}

export const NO_FILTERS: DeskFilters = { tiers: new Set(), kind: null, text: "" };

export function isActive(alert: Pick<Alert, "state">): boolean {
  return ACTIVE_STATES.includes(alert.state);
}

/** The queue: most serious first (红 → 蓝), then the one waiting longest. */
export function queueOrder(a: Alert, b: Alert): number {
  if (a.tier !== b.tier) return b.tier - a.tier;
  if (a.created_at !== b.created_at) return Date.parse(a.created_at) - Date.parse(b.created_at);
  return a.id < b.id ? -1 : 1;
}

/** Handled alerts: the most recently changed first. */
export function recentOrder(a: Alert, b: Alert): number {
  return Date.parse(b.updated_at) - Date.parse(a.updated_at);
}

/** Keep the newest version of each alert (a list fetch can race a live message). */
export function mergeAlerts(
  current: ReadonlyMap<string, Alert>,
  incoming: readonly Alert[],
): Map<string, Alert> {
  const next = new Map(current);
  for (const alert of incoming) {
    const have = next.get(alert.id);
    if (!have || have.version <= alert.version) next.set(alert.id, alert);
  }
  return next;
}

function matches(alert: Alert, f: DeskFilters): boolean {
  if (f.tiers.size > 0 && !f.tiers.has(alert.tier)) return false;
  if (f.kind && alert.kind !== f.kind) return false;
  const text = f.text.trim().toLowerCase();
  if (!text) return true;
  return [alert.camera_name, alert.camera_id, alert.unit_name, alert.message].some((s) =>
    s.toLowerCase().includes(text),
  );
}

export function inView(alert: Alert, view: DeskView): boolean {
  if (view === "queue") return isActive(alert);
  if (view === "overdue") return isActive(alert) && alert.overdue;
  return !isActive(alert);
}

export function visibleAlerts(
  alerts: Iterable<Alert>,
  view: DeskView,
  filters: DeskFilters,
): Alert[] {
  const out = [...alerts].filter((a) => inView(a, view) && matches(a, filters));
  return out.sort(view === "handled" ? recentOrder : queueOrder);
}

export function viewCounts(alerts: Iterable<Alert>): Record<DeskView, number> {
  const counts: Record<DeskView, number> = { queue: 0, overdue: 0, handled: 0 };
  for (const a of alerts) {
    for (const view of ["queue", "overdue", "handled"] as const) if (inView(a, view)) counts[view] += 1;
  }
  return counts;
}

/** Mirrors desk/lifecycle.py: which actions lead on from which states, and who may take them. */
const FROM: Record<DeskAction, readonly AlertState[]> = {
  ack: ["new"],
  dispatch: ["new", "acknowledged", "dispatched"],
  resolve: ["acknowledged", "dispatched"],
  close: ["resolved"],
  dismiss: ["new", "acknowledged", "dispatched"],
};
const ROLES: Record<DeskAction, readonly Role[]> = {
  ack: ["patroller", "duty_officer", "commander", "admin"],
  dispatch: ["duty_officer", "commander", "admin"],
  resolve: ["duty_officer", "commander", "admin"],
  dismiss: ["duty_officer", "commander", "admin"],
  close: ["commander", "admin"],
};

export function availableActions(role: Role, state: AlertState): DeskAction[] {
  return (Object.keys(FROM) as DeskAction[]).filter(
    (a) => FROM[a].includes(state) && ROLES[a].includes(role),
  );
}

/** Orange and red alerts sound when they arrive, and when an alert escalates into them. */
export function soundTier(msg: DeskMessage): Tier | null {
  if (msg.type !== "alert" || !msg.alert || msg.alert.tier < 3) return null;
  if (msg.change === "created" || msg.change === "escalated" || msg.change === "tier_raised") {
    return msg.alert.tier;
  }
  return null;
}

/** "mm:ss" under an hour, "h:mm:ss" above; negative → "0:00". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

/** Seconds from an ISO time to `nowMs`. */
export function ageSeconds(iso: string, nowMs: number): number {
  return (nowMs - Date.parse(iso)) / 1000;
}

/** Local midnight of `nowMs` as ISO (the start of "today" for the list). */
export function startOfDay(nowMs: number): string {
  const d = new Date(nowMs);
  d.setHours(0, 0, 0, 0);
  return d.toISOString();
}
