/**
 * The zone editor's state and its reducer (pure): the zones and lines being edited, what is being
 * drawn, what is selected, and the rule forms that belong to each zone and line.
 */
import type { CameraRules, Line, Point, Zone } from "../../types";
import { lineTooShort, polygonProblem, roundCoord, type PolygonProblem } from "./geometry";
import {
  draftProblem,
  findManaged,
  rulesForSave,
  surgeDraft,
  tierDraft,
  type SurgeDraft,
  type ThresholdProblem,
  type TierDraft,
} from "./rules";

export interface ZoneDraft {
  key: string;
  id: string;
  originalId: string | null;
  name: string;
  polygon: Point[];
  restricted: boolean;
  overcrowding: TierDraft;
  loitering: TierDraft;
}

export interface LineDraft {
  key: string;
  id: string;
  originalId: string | null;
  name: string;
  a: Point;
  b: Point;
  in_name: string;
  out_name: string;
  surge: SurgeDraft;
}

export type Mode =
  | { kind: "idle" }
  | { kind: "zone"; points: Point[] }
  | { kind: "line"; a: Point | null };

export type Selection = { kind: "zone" | "line"; key: string } | null;

export interface EditorState {
  zones: ZoneDraft[];
  lines: LineDraft[];
  rules: CameraRules;
  mode: Mode;
  selected: Selection;
  /** Changed since loaded or saved. */
  dirty: boolean;
  nextKey: number;
}

/** Names a new zone or line gets: the caller translates, n counts from 1. */
export type Namer = (n: number) => string;

export type DragTarget =
  | { kind: "zone"; key: string; index: number }
  | { kind: "line"; key: string; end: "a" | "b" };

export type ZoneFields = Partial<Pick<ZoneDraft, "id" | "name" | "restricted">>;
export type LineFields = Partial<Pick<LineDraft, "id" | "name" | "in_name" | "out_name">>;

export type Action =
  | { type: "load"; zones: Zone[]; lines: Line[]; rules: CameraRules }
  | { type: "startZone" }
  | { type: "startLine" }
  | { type: "cancelDraw" }
  | { type: "undoPoint" }
  | { type: "addPoint"; point: Point; lineName: Namer }
  | { type: "closeZone"; zoneName: Namer }
  | { type: "movePoint"; target: DragTarget; point: Point }
  | { type: "select"; selection: Selection }
  | { type: "updateZone"; key: string; changes: ZoneFields }
  | { type: "updateLine"; key: string; changes: LineFields }
  | { type: "swapLine"; key: string }
  | { type: "deleteZone"; key: string }
  | { type: "deleteLine"; key: string }
  | { type: "setZoneRule"; key: string; rule: "overcrowding" | "loitering"; changes: Partial<TierDraft> }
  | { type: "setLineRule"; key: string; changes: Partial<SurgeDraft> };

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export const emptyState: EditorState = {
  zones: [],
  lines: [],
  rules: {},
  mode: { kind: "idle" },
  selected: null,
  dirty: false,
  nextKey: 1,
};

function round(p: Point): Point {
  return [roundCoord(p[0]), roundCoord(p[1])];
}

/** The editor's state for a camera's stored zones, lines and rules. */
export function loadState(zones: Zone[], lines: Line[], rules: CameraRules): EditorState {
  let k = 1;
  return {
    ...emptyState,
    rules,
    zones: zones.map((z) => ({
      key: `k${k++}`,
      id: z.id,
      originalId: z.id,
      name: z.name,
      polygon: z.polygon.map(round),
      restricted: z.restricted,
      overcrowding: tierDraft("overcrowding", findManaged(rules, "overcrowding", z.id)),
      loitering: tierDraft("loitering", findManaged(rules, "loitering", z.id)),
    })),
    lines: lines.map((l) => ({
      key: `k${k++}`,
      id: l.id,
      originalId: l.id,
      name: l.name,
      a: round(l.a),
      b: round(l.b),
      in_name: l.in_name,
      out_name: l.out_name,
      surge: surgeDraft(findManaged(rules, "line_crossing", l.id)),
    })),
    nextKey: k,
  };
}

/** `prefix-N` with the smallest N ≥ 1 not taken, and that N. */
export function freeId(prefix: string, taken: readonly string[]): { id: string; n: number } {
  const used = new Set(taken);
  let n = 1;
  while (used.has(`${prefix}-${n}`)) n += 1;
  return { id: `${prefix}-${n}`, n };
}

function newZone(state: EditorState, points: Point[], zoneName: Namer): EditorState {
  const { id, n } = freeId("zone", state.zones.map((z) => z.id));
  const zone: ZoneDraft = {
    key: `k${state.nextKey}`,
    id,
    originalId: null,
    name: zoneName(n),
    polygon: points,
    restricted: false,
    overcrowding: tierDraft("overcrowding", null),
    loitering: tierDraft("loitering", null),
  };
  return {
    ...state,
    zones: [...state.zones, zone],
    mode: { kind: "idle" },
    selected: { kind: "zone", key: zone.key },
    dirty: true,
    nextKey: state.nextKey + 1,
  };
}

function newLine(state: EditorState, a: Point, b: Point, lineName: Namer): EditorState {
  const { id, n } = freeId("line", state.lines.map((l) => l.id));
  const line: LineDraft = {
    key: `k${state.nextKey}`,
    id,
    originalId: null,
    name: lineName(n),
    a,
    b,
    in_name: "进",
    out_name: "出",
    surge: surgeDraft(null),
  };
  return {
    ...state,
    lines: [...state.lines, line],
    mode: { kind: "idle" },
    selected: { kind: "line", key: line.key },
    dirty: true,
    nextKey: state.nextKey + 1,
  };
}

function addPoint(state: EditorState, point: Point, lineName: Namer): EditorState {
  const p = round(point);
  const mode = state.mode;
  if (mode.kind === "zone") return { ...state, mode: { kind: "zone", points: [...mode.points, p] } };
  if (mode.kind === "line") {
    if (mode.a === null) return { ...state, mode: { kind: "line", a: p } };
    if (lineTooShort(mode.a, p)) return state; // a second click on the first point
    return newLine(state, mode.a, p, lineName);
  }
  return state;
}

function mapZone(state: EditorState, key: string, f: (z: ZoneDraft) => ZoneDraft): EditorState {
  return { ...state, dirty: true, zones: state.zones.map((z) => (z.key === key ? f(z) : z)) };
}

function mapLine(state: EditorState, key: string, f: (l: LineDraft) => LineDraft): EditorState {
  return { ...state, dirty: true, lines: state.lines.map((l) => (l.key === key ? f(l) : l)) };
}

function movePoint(state: EditorState, target: DragTarget, point: Point): EditorState {
  const p = round(point);
  if (target.kind === "zone") {
    return mapZone(state, target.key, (z) => ({
      ...z,
      polygon: z.polygon.map((q, i) => (i === target.index ? p : q)),
    }));
  }
  return mapLine(state, target.key, (l) => ({ ...l, [target.end]: p }));
}

function deselect(state: EditorState, key: string): Selection {
  return state.selected?.key === key ? null : state.selected;
}

export function editorReducer(state: EditorState, action: Action): EditorState {
  switch (action.type) {
    case "load":
      return loadState(action.zones, action.lines, action.rules);
    case "startZone":
      return { ...state, mode: { kind: "zone", points: [] }, selected: null };
    case "startLine":
      return { ...state, mode: { kind: "line", a: null }, selected: null };
    case "cancelDraw":
      return { ...state, mode: { kind: "idle" } };
    case "undoPoint": {
      const m = state.mode;
      if (m.kind === "zone") return { ...state, mode: { kind: "zone", points: m.points.slice(0, -1) } };
      if (m.kind === "line") return { ...state, mode: { kind: "line", a: null } };
      return state;
    }
    case "addPoint":
      return addPoint(state, action.point, action.lineName);
    case "closeZone":
      if (state.mode.kind !== "zone" || state.mode.points.length < 3) return state;
      return newZone(state, state.mode.points, action.zoneName);
    case "movePoint":
      return movePoint(state, action.target, action.point);
    case "select":
      return { ...state, selected: action.selection };
    case "updateZone":
      return mapZone(state, action.key, (z) => ({ ...z, ...action.changes }));
    case "updateLine":
      return mapLine(state, action.key, (l) => ({ ...l, ...action.changes }));
    case "swapLine":
      // Reversing a→b swaps which side is "in"; the direction names stay where they were.
      return mapLine(state, action.key, (l) => ({ ...l, a: l.b, b: l.a }));
    case "deleteZone":
      return {
        ...state,
        dirty: true,
        zones: state.zones.filter((z) => z.key !== action.key),
        selected: deselect(state, action.key),
      };
    case "deleteLine":
      return {
        ...state,
        dirty: true,
        lines: state.lines.filter((l) => l.key !== action.key),
        selected: deselect(state, action.key),
      };
    case "setZoneRule":
      return mapZone(state, action.key, (z) => ({
        ...z,
        [action.rule]: { ...z[action.rule], ...action.changes },
      }));
    case "setLineRule":
      return mapLine(state, action.key, (l) => ({ ...l, surge: { ...l.surge, ...action.changes } }));
  }
}

export type Problem =
  | { target: { kind: "zone" | "line"; key: string }; code: PolygonProblem["code"]; params: Record<string, string | number> }
  | {
      target: { kind: "zone" | "line"; key: string };
      code:
        | "nameMissing"
        | "idInvalid"
        | "idTaken"
        | "lineTooShort"
        | "directionNameMissing"
        | ThresholdProblem;
      params: Record<string, string | number>;
    };

function polygonParams(p: PolygonProblem): Record<string, string | number> {
  if (p.code === "tooFewPoints") return { count: p.count };
  if (p.code === "selfIntersecting") return { i: p.edges[0], j: p.edges[1] };
  return {};
}

function commonProblems(
  kind: "zone" | "line",
  item: { key: string; id: string; name: string },
  ids: readonly string[],
): Problem[] {
  const target = { kind, key: item.key };
  const params = { name: item.name || item.id, id: item.id };
  const out: Problem[] = [];
  if (!item.name.trim()) out.push({ target, code: "nameMissing", params });
  if (!ID_PATTERN.test(item.id)) out.push({ target, code: "idInvalid", params });
  else if (ids.filter((x) => x === item.id).length > 1) out.push({ target, code: "idTaken", params });
  return out;
}

/** Everything the server would refuse, per zone and line (empty: ready to save). */
export function problems(state: EditorState): Problem[] {
  const out: Problem[] = [];
  const zoneIds = state.zones.map((z) => z.id);
  for (const z of state.zones) {
    const target = { kind: "zone" as const, key: z.key };
    out.push(...commonProblems("zone", z, zoneIds));
    const poly = polygonProblem(z.polygon);
    if (poly) out.push({ target, code: poly.code, params: { name: z.name, ...polygonParams(poly) } });
    for (const rule of ["overcrowding", "loitering"] as const) {
      const p = draftProblem(z[rule]);
      if (p) out.push({ target, code: p, params: { name: z.name, rule } });
    }
  }
  const lineIds = state.lines.map((l) => l.id);
  for (const l of state.lines) {
    const target = { kind: "line" as const, key: l.key };
    out.push(...commonProblems("line", l, lineIds));
    if (lineTooShort(l.a, l.b)) out.push({ target, code: "lineTooShort", params: { name: l.name } });
    if (!l.in_name.trim() || !l.out_name.trim())
      out.push({ target, code: "directionNameMissing", params: { name: l.name } });
    const p = draftProblem(l.surge);
    if (p) out.push({ target, code: p, params: { name: l.name, rule: "line_crossing" } });
  }
  return out;
}

export interface GeometryPatch {
  zones: Zone[];
  lines: Line[];
  rules: CameraRules;
}

/** The body of PATCH /api/cameras/{id}; call only when `problems(state)` is empty. */
export function toPatch(state: EditorState): GeometryPatch {
  return {
    zones: state.zones.map((z) => ({
      id: z.id.trim(),
      name: z.name.trim(),
      polygon: z.polygon,
      restricted: z.restricted,
    })),
    lines: state.lines.map((l) => ({
      id: l.id.trim(),
      name: l.name.trim(),
      a: l.a,
      b: l.b,
      in_name: l.in_name.trim(),
      out_name: l.out_name.trim(),
    })),
    rules: rulesForSave(
      state.rules,
      state.zones.map((z) => ({
        id: z.id.trim(),
        originalId: z.originalId,
        draft: { overcrowding: z.overcrowding, loitering: z.loitering },
      })),
      state.lines.map((l) => ({ id: l.id.trim(), originalId: l.originalId, draft: l.surge })),
    ),
  };
}
