import { act, cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { jsonResponse, renderWith } from "../test/harness";
import { beepPattern, Beeper, MUTE_KEY } from "./beep";
import { DeskPage } from "./DeskPage";
import en from "./i18n.en.json";
import zh from "./i18n.zh.json";
import {
  availableActions,
  formatDuration,
  mergeAlerts,
  NO_FILTERS,
  soundTier,
  viewCounts,
  visibleAlerts,
} from "./queue";
import type { Alert } from "./types";
import type { DeskSocket } from "./useDesk";

beforeEach(() => localStorage.clear());
afterEach(cleanup);

let seq = 0;
function makeAlert(over: Partial<Alert> = {}): Alert {
  seq += 1;
  return {
    id: `a-${seq}`,
    camera_id: "jsl-1",
    camera_name: "江苏路 1 号口",
    unit_id: "jiangsulu",
    unit_name: "江苏路街道",
    kind: "intrusion",
    rule_id: "intrusion-1",
    zone_id: "gate",
    line_id: null,
    message: "有人进入禁区",
    tier: 2,
    raised_tier: 2,
    state: "new",
    event_count: 1,
    suppressed: 0,
    first_event_id: "e-1",
    last_event_id: "e-1",
    snapshot_event_id: null,
    first_event_at: "2026-11-21T08:00:00Z",
    last_event_at: "2026-11-21T08:00:00Z",
    created_at: "2026-11-21T08:00:00Z",
    updated_at: "2026-11-21T08:00:00Z",
    acknowledged_at: null,
    acknowledged_by: null,
    dispatched_at: null,
    dispatched_by: null,
    dispatch_unit: null,
    dispatch_unit_name: null,
    dispatch_assignee: null,
    dispatch_instructions: "",
    due_at: null,
    resolved_at: null,
    resolved_by: null,
    resolution_note: "",
    closed_at: null,
    closed_by: null,
    close_note: "",
    dismissed_at: null,
    dismissed_by: null,
    dismiss_reason: "",
    escalation_level: 0,
    escalated_at: null,
    escalated_to: null,
    overdue: false,
    overdue_at: null,
    notify_units: ["jiangsulu", "changning"],
    version: 1,
    ...over,
  };
}

function keys(tree: object, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === "string" ? [`${prefix}${k}`] : keys(v as object, `${prefix}${k}.`),
  );
}

describe("desk logic", () => {
  it("orders the queue by tier, then by waiting time", () => {
    const old = makeAlert({ tier: 2, created_at: "2026-11-21T07:00:00Z" });
    const red = makeAlert({ tier: 4, created_at: "2026-11-21T08:30:00Z" });
    const young = makeAlert({ tier: 2, created_at: "2026-11-21T08:10:00Z" });
    const done = makeAlert({ tier: 4, state: "closed" });
    const all = [young, done, old, red];
    expect(visibleAlerts(all, "queue", NO_FILTERS).map((a) => a.id)).toEqual([red.id, old.id, young.id]);
    expect(visibleAlerts(all, "handled", NO_FILTERS).map((a) => a.id)).toEqual([done.id]);
    const filtered = visibleAlerts(all, "queue", { ...NO_FILTERS, tiers: new Set([2] as const) });
    expect(filtered.map((a) => a.id)).toEqual([old.id, young.id]);
    expect(viewCounts(all)).toEqual({ queue: 3, overdue: 0, handled: 1 });
  });

  it("keeps the newest version of an alert", () => {
    const a1 = makeAlert({ version: 3, state: "acknowledged" });
    const stale = { ...a1, version: 2, state: "new" as const };
    const merged = mergeAlerts(mergeAlerts(new Map(), [a1]), [stale]);
    expect(merged.get(a1.id)?.state).toBe("acknowledged");
  });

  it("offers only the actions a role may take in a state", () => {
    expect(availableActions("patroller", "new")).toEqual(["ack"]);
    expect(availableActions("patroller", "resolved")).toEqual([]);
    expect(availableActions("duty_officer", "new")).toEqual(["ack", "dispatch", "dismiss"]);
    expect(availableActions("duty_officer", "resolved")).toEqual([]);
    expect(availableActions("commander", "resolved")).toEqual(["close"]);
    expect(availableActions("admin", "closed")).toEqual([]);
  });

  it("sounds for orange and red only", () => {
    const msg = (tier: 1 | 2 | 3 | 4, change: "created" | "ack") => ({
      type: "alert" as const,
      change,
      alert: makeAlert({ tier }),
      notify_role: null,
      dropped: null,
    });
    expect(soundTier(msg(2, "created"))).toBeNull();
    expect(soundTier(msg(3, "created"))).toBe(3);
    expect(soundTier(msg(4, "ack"))).toBeNull();
    expect(beepPattern(3)).toHaveLength(2);
    expect(beepPattern(4)).toHaveLength(3);
    expect(beepPattern(1)).toEqual([]);
    expect(formatDuration(75)).toBe("1:15");
    expect(formatDuration(3725)).toBe("1:02:05");
  });

  it("remembers the mute choice and stays quiet without Web Audio", () => {
    const beeper = new Beeper(localStorage, undefined);
    beeper.setMuted(true);
    expect(localStorage.getItem(MUTE_KEY)).toBe("1");
    expect(new Beeper(localStorage, undefined).isMuted).toBe(true);
    beeper.play(4); // no AudioContext: nothing happens, nothing throws
  });

  it("has every string in Chinese and English", () => {
    expect(keys(en).sort()).toEqual(keys(zh).sort());
  });
});

class FakeSocket implements DeskSocket {
  static last: FakeSocket | null = null;
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  close(): void {}
  push(data: unknown): void {
    this.onmessage?.(new MessageEvent("message", { data: JSON.stringify(data) }));
  }
}

describe("desk page", () => {
  it("shows a pushed alert, acknowledges it with one click and shows the timeline", async () => {
    const alert = makeAlert({ tier: 4, message: "红色：禁区有人" });
    const posted: string[] = [];
    renderWith(
      <DeskPage socketFactory={(url) => new FakeSocket(url)} />,
      (path, init) => {
        if (path === "/api/auth/me")
          return jsonResponse(200, { username: "li", display_name: "李伟", role: "duty_officer", unit_id: "jiangsulu", unit_name: "江苏路街道" });
        if (path.startsWith("/api/alerts?")) return jsonResponse(200, []);
        if (path === "/api/alerts/stats")
          return jsonResponse(200, { total: 1, open_now: 1, overdue_now: 0, by_kind: { intrusion: 1 }, dismissed_by_rule: {}, mean_ack_s: 65, mean_resolve_s: null });
        if (path === "/api/desk/policy") return jsonResponse(200, { overdue_after_s: 1800 });
        if (path === "/api/units")
          return jsonResponse(200, [
            { id: "changning", name: "长宁区", parent_id: null, in_scope: false },
            { id: "jiangsulu", name: "江苏路街道", parent_id: "changning", in_scope: true },
          ]);
        if (path === `/api/alerts/${alert.id}/ack` && init?.method === "POST") {
          posted.push(path);
          return jsonResponse(200, { ...alert, state: "acknowledged", version: 2, acknowledged_by: "李伟" });
        }
        if (path === `/api/alerts/${alert.id}`)
          return jsonResponse(200, { ...alert, steps: [{ at: alert.created_at, kind: "created", actor: "system", actor_name: "系统", from_state: null, to_state: null, note: "红色告警", tier: 4 }] });
        return undefined;
      },
      { path: "/desk", token: "tok" },
    );
    await waitFor(() => expect(FakeSocket.last).not.toBeNull());
    const socket = FakeSocket.last as FakeSocket;
    expect(socket.url).toContain("/api/ws/desk?token=tok");
    await act(async () => socket.onopen?.(new Event("open")));
    expect((await screen.findByTestId("desk-feed")).dataset.status).toBe("live");
    await act(async () => socket.push({ type: "alert", change: "created", alert, notify_role: null, dropped: null }));
    const card = await screen.findByTestId("alert-card");
    expect(card.textContent).toContain("红色");
    expect(card.textContent).toContain("江苏路 1 号口");
    expect(screen.getByTestId("stat-mtta").textContent).toBe("1:05");
    await act(async () => fireEvent.click(screen.getByTestId("alert-ack")));
    await waitFor(() => expect(screen.getByTestId("alert-card").dataset.state).toBe("acknowledged"));
    expect(posted).toEqual([`/api/alerts/${alert.id}/ack`]);
    await act(async () => fireEvent.click(screen.getByTestId("alert-card")));
    expect((await screen.findByTestId("panel-state")).textContent).toBe("已确认");
    expect((await screen.findByTestId("alert-timeline")).textContent).toContain("系统告警");
    expect((await screen.findByTestId("evidence-clip-wait")).textContent).toContain("片段生成中");
    // notified units by name, the district above the officer's street included
    await waitFor(() => expect(screen.getByTestId("alert-panel").textContent).toContain("江苏路街道、长宁区"));
    expect(screen.queryByTestId("action-close")).toBeNull(); // duty officers do not close
    await act(async () => fireEvent.click(screen.getByTestId("action-dispatch")));
    const picker = (await screen.findByTestId("dispatch-unit")) as HTMLSelectElement;
    // dispatch only within the officer's scope: the district is not a choice
    expect([...picker.options].map((o) => o.value)).toEqual(["", "jiangsulu"]);
  });
});
