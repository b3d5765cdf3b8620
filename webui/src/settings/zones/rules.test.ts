import { describe, expect, it } from "vitest";
import type { CameraRules } from "../../types";
import {
  buildRule,
  findManaged,
  parseThresholds,
  rulesForSave,
  surgeDraft,
  tierDraft,
  tierOfSlot,
} from "./rules";

const stored: CameraRules = {
  overcrowding: [
    { zone: null, thresholds: [100] },
    { zone: "hall", thresholds: [10, 20], min_duration_s: 5, tiers: [2, 3] },
  ],
  intrusion: [{ zone: "hall", classes: ["person"] }, { zone: "gone", classes: ["person"] }],
  loitering: [],
  line_crossing: [{ line: "door", direction: "in", thresholds: [30] }],
  gathering: [],
  vehicle_flow: [{ line: "door", thresholds: [30, 45, 60] }],
  auto_intrusion: true,
};

describe("threshold inputs", () => {
  it("reads ascending positive numbers and skips empty slots", () => {
    expect(parseThresholds(["10", " 20 ", "", ""])).toEqual([10, 20]);
  });

  it("says why thresholds cannot be saved", () => {
    expect(parseThresholds(["", ""])).toBe("thresholdsMissing");
    expect(parseThresholds(["abc"])).toBe("thresholdsNotPositive");
    expect(parseThresholds(["0"])).toBe("thresholdsNotPositive");
    expect(parseThresholds(["20", "10"])).toBe("thresholdsNotAscending");
    expect(parseThresholds(["20", "20"])).toBe("thresholdsNotAscending");
  });
});

describe("forms for stored rules", () => {
  it("edits the zone's count rule, with a slot per tier", () => {
    const found = findManaged(stored, "overcrowding", "hall");
    expect(found?.index).toBe(1);
    const d = tierDraft("overcrowding", found);
    expect(d).toMatchObject({ enabled: true, values: ["10", "20", "", ""], baseIndex: 1 });
    expect([0, 1].map((i) => tierOfSlot("overcrowding", d, i))).toEqual([2, 3]);
  });

  it("starts a new rule switched off with the server's defaults", () => {
    const d = tierDraft("loitering", null);
    expect(d).toMatchObject({ enabled: false, values: ["60"], base: null });
    expect(tierOfSlot("loitering", d, 0)).toBe(2); // loitering starts at yellow
    expect(surgeDraft(null).direction).toBe("both");
  });

  it("keeps a stored rule's other fields and drops tiers that no longer fit", () => {
    const d = tierDraft("overcrowding", findManaged(stored, "overcrowding", "hall"));
    const rule = buildRule({ ...d, values: ["5", "10", "15", ""] }, { zone: "hall" });
    expect(rule).toEqual({ zone: "hall", thresholds: [5, 10, 15], min_duration_s: 5, enabled: true });
  });

  it("switches a stored rule off instead of dropping it, and forgets a new one", () => {
    const d = tierDraft("overcrowding", findManaged(stored, "overcrowding", "hall"));
    expect(buildRule({ ...d, enabled: false }, { zone: "hall" })?.enabled).toBe(false);
    expect(buildRule(tierDraft("overcrowding", null), { zone: "x" })).toBeNull();
  });
});

describe("saving rules", () => {
  it("renames references, drops rules of deleted zones and lines, keeps the rest", () => {
    const hall = tierDraft("overcrowding", findManaged(stored, "overcrowding", "hall"));
    const loiter = { ...tierDraft("loitering", null), enabled: true, values: ["90"] };
    const door = { ...surgeDraft(findManaged(stored, "line_crossing", "door")), direction: "both" as const };
    const out = rulesForSave(
      stored,
      [{ id: "lobby", originalId: "hall", draft: { overcrowding: hall, loitering: loiter } }],
      [{ id: "gate", originalId: "door", draft: door }],
    );
    expect(out.overcrowding).toEqual([
      { zone: null, thresholds: [100] },
      { zone: "lobby", thresholds: [10, 20], min_duration_s: 5, tiers: [2, 3], enabled: true },
    ]);
    expect(out.intrusion).toEqual([{ zone: "lobby", classes: ["person"] }]);
    expect(out.loitering).toEqual([{ zone: "lobby", thresholds: [90], enabled: true }]);
    expect(out.line_crossing).toEqual([{ line: "gate", direction: "both", thresholds: [30], enabled: true }]);
    expect(out.vehicle_flow).toEqual([{ line: "gate", thresholds: [30, 45, 60] }]);
    expect(out.auto_intrusion).toBe(true);
  });

  it("removes every rule of a zone that was deleted", () => {
    const out = rulesForSave(stored, [], []);
    expect(out.overcrowding).toEqual([{ zone: null, thresholds: [100] }]);
    expect(out.intrusion).toEqual([]);
    expect(out.line_crossing).toEqual([]);
    expect(out.vehicle_flow).toEqual([]);
  });
});
