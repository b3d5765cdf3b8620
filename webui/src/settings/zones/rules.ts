/**
 * The common rules the zone editor offers (overcrowding and loitering per zone, line-crossing
 * surge per line), mapped onto the camera's `rules` object. Rules the editor does not show are
 * kept as they are, follow a renamed zone or line, and go with a deleted one.
 */
import type { CameraRules, RuleSpec } from "../../types";

export type TierRuleKind = "overcrowding" | "loitering" | "line_crossing";
export type Direction = "in" | "out" | "both";

/** The form of one rule: `values` are the threshold inputs as typed, one per tier. */
export interface TierDraft {
  enabled: boolean;
  values: string[];
  /** The stored rule this form edits (its other fields are kept), and its place in the list. */
  base: RuleSpec | null;
  baseIndex: number | null;
}

export interface SurgeDraft extends TierDraft {
  direction: Direction;
}

/** Defaults of vision/rules/config.py: the first tier and the thresholds a new rule starts with. */
export const RULE_DEFAULTS: Record<TierRuleKind, { baseTier: number; slots: number; values: number[] }> = {
  overcrowding: { baseTier: 1, slots: 4, values: [20, 40, 60, 80] },
  loitering: { baseTier: 2, slots: 1, values: [60] },
  line_crossing: { baseTier: 1, slots: 2, values: [30, 60] },
};

const ZONE_KINDS = ["overcrowding", "intrusion", "loitering", "gathering"] as const;
const LINE_KINDS = ["line_crossing", "vehicle_flow"] as const;

/** The stored rule a zone's / line's form edits: the first one watching it (count metric only). */
export function findManaged(
  rules: CameraRules,
  kind: TierRuleKind,
  id: string,
): { rule: RuleSpec; index: number } | null {
  const list = rules[kind] ?? [];
  const index = list.findIndex((r) =>
    kind === "line_crossing" ? r.line === id : r.zone === id && r.metric !== "density",
  );
  return index < 0 ? null : { rule: list[index], index };
}

function slotValues(values: readonly number[], slots: number): string[] {
  const out = values.map(String);
  while (out.length < slots) out.push("");
  return out;
}

/** The form for a stored rule (or a new, switched-off one with the server's defaults). */
export function tierDraft(kind: TierRuleKind, found: { rule: RuleSpec; index: number } | null): TierDraft {
  const d = RULE_DEFAULTS[kind];
  if (!found) return { enabled: false, values: slotValues(d.values, d.slots), base: null, baseIndex: null };
  const values = found.rule.thresholds ?? d.values;
  return {
    enabled: found.rule.enabled !== false,
    values: slotValues(values, d.slots),
    base: found.rule,
    baseIndex: found.index,
  };
}

export function surgeDraft(found: { rule: RuleSpec; index: number } | null): SurgeDraft {
  return { ...tierDraft("line_crossing", found), direction: found?.rule.direction ?? "both" };
}

/** Tier (1–4: 蓝/黄/橙/红) of threshold slot `level` (0-based), as the server maps it. */
export function tierOfSlot(kind: TierRuleKind, draft: TierDraft, level: number): number {
  const tiers = draft.base?.tiers;
  if (tiers && level < tiers.length) return tiers[level];
  const base = draft.base?.base_tier ?? RULE_DEFAULTS[kind].baseTier;
  return Math.min(4, base + level);
}

export type ThresholdProblem = "thresholdsMissing" | "thresholdsNotPositive" | "thresholdsNotAscending";

/** The thresholds typed into a form: empty slots are skipped; numbers > 0, strictly ascending. */
export function parseThresholds(values: readonly string[]): number[] | ThresholdProblem {
  const filled = values.map((v) => v.trim()).filter((v) => v !== "");
  if (filled.length === 0) return "thresholdsMissing";
  const nums = filled.map(Number);
  if (nums.some((n) => !Number.isFinite(n) || n <= 0)) return "thresholdsNotPositive";
  if (nums.some((n, i) => i > 0 && n <= nums[i - 1])) return "thresholdsNotAscending";
  return nums;
}

/** Why a form cannot be saved, or null (a switched-off form is never checked). */
export function draftProblem(draft: TierDraft): ThresholdProblem | null {
  if (!draft.enabled) return null;
  const parsed = parseThresholds(draft.values);
  return typeof parsed === "string" ? parsed : null;
}

/** The rule to save for a form, or null when there is none (switched off and never stored). */
export function buildRule(
  draft: TierDraft | SurgeDraft,
  ref: { zone: string } | { line: string },
): RuleSpec | null {
  if (!draft.enabled) {
    return draft.base ? { ...draft.base, ...ref, enabled: false } : null;
  }
  const parsed = parseThresholds(draft.values);
  if (typeof parsed === "string") throw new Error(`cannot save a rule: ${parsed}`);
  const rule: RuleSpec = { ...(draft.base ?? {}), ...ref, enabled: true, thresholds: parsed };
  if (rule.tiers && rule.tiers.length !== parsed.length) delete rule.tiers;
  if ("direction" in draft) rule.direction = draft.direction;
  return rule;
}

export interface RuleOwner<D> {
  id: string;
  /** The id it had when loaded (null: drawn in this session). */
  originalId: string | null;
  draft: D;
}

function keepOthers(
  list: readonly RuleSpec[] | undefined,
  field: "zone" | "line",
  renamed: Map<string, string>,
  managed: Set<number>,
): RuleSpec[] {
  const out: RuleSpec[] = [];
  (list ?? []).forEach((rule, index) => {
    if (managed.has(index)) return;
    const ref = rule[field];
    if (ref === null || ref === undefined) out.push(rule);
    else if (typeof ref === "string" && renamed.has(ref)) out.push({ ...rule, [field]: renamed.get(ref) });
    // a rule of a deleted zone or line goes with it
  });
  return out;
}

function renames(owners: readonly RuleOwner<unknown>[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const o of owners) if (o.originalId !== null) map.set(o.originalId, o.id);
  return map;
}

function managedIndexes(drafts: readonly TierDraft[]): Set<number> {
  return new Set(drafts.flatMap((d) => (d.baseIndex === null ? [] : [d.baseIndex])));
}

function asList(rule: RuleSpec | null): RuleSpec[] {
  return rule ? [rule] : [];
}

/** The camera's `rules` after the editor's changes. */
export function rulesForSave(
  original: CameraRules,
  zones: readonly RuleOwner<{ overcrowding: TierDraft; loitering: TierDraft }>[],
  lines: readonly RuleOwner<SurgeDraft>[],
): CameraRules {
  const zoneIds = renames(zones);
  const lineIds = renames(lines);
  const out: CameraRules = { ...original };
  for (const kind of ZONE_KINDS) {
    const drafts =
      kind === "overcrowding" || kind === "loitering" ? zones.map((z) => z.draft[kind]) : [];
    const kept = keepOthers(original[kind], "zone", zoneIds, managedIndexes(drafts));
    const built =
      kind === "overcrowding" || kind === "loitering"
        ? zones.flatMap((z) => asList(buildRule(z.draft[kind], { zone: z.id })))
        : [];
    out[kind] = [...kept, ...built];
  }
  for (const kind of LINE_KINDS) {
    const drafts = kind === "line_crossing" ? lines.map((l) => l.draft) : [];
    const kept = keepOthers(original[kind], "line", lineIds, managedIndexes(drafts));
    const built =
      kind === "line_crossing" ? lines.flatMap((l) => asList(buildRule(l.draft, { line: l.id }))) : [];
    out[kind] = [...kept, ...built];
  }
  return out;
}

/** How many stored rules watch a zone or line besides the ones its form edits. */
export function otherRuleCount(
  rules: CameraRules,
  field: "zone" | "line",
  id: string | null,
  managed: readonly TierDraft[],
): number {
  if (id === null) return 0;
  const kinds = field === "zone" ? ZONE_KINDS : LINE_KINDS;
  let n = 0;
  for (const kind of kinds) {
    (rules[kind] ?? []).forEach((rule) => {
      if (rule[field] === id && !managed.some((d) => d.base === rule)) n += 1;
    });
  }
  return n;
}
