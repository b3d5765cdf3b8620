import type { Camera, CameraUpdate, Unit } from "../types";

export interface UnitOption {
  id: string;
  name: string;
  depth: number;
}

/**
 * Units in tree order (parents before children, siblings by name) with their depth,
 * for an indented <select>. Units whose parent is unknown are treated as roots.
 */
export function unitOptions(units: readonly Unit[]): UnitOption[] {
  const ids = new Set(units.map((u) => u.id));
  const children = new Map<string | null, Unit[]>();
  for (const unit of units) {
    const parent = unit.parent_id !== null && ids.has(unit.parent_id) ? unit.parent_id : null;
    const list = children.get(parent) ?? [];
    list.push(unit);
    children.set(parent, list);
  }
  const out: UnitOption[] = [];
  const seen = new Set<string>();
  const walk = (parent: string | null, depth: number): void => {
    const list = [...(children.get(parent) ?? [])].sort((a, b) => a.name.localeCompare(b.name, "zh-CN"));
    for (const unit of list) {
      if (seen.has(unit.id)) continue;
      seen.add(unit.id);
      out.push({ id: unit.id, name: unit.name, depth });
      walk(unit.id, depth + 1);
    }
  };
  walk(null, 0);
  // Units caught in a parent cycle are never reached from a root: list them flat.
  for (const unit of units) {
    if (!seen.has(unit.id)) out.push({ id: unit.id, name: unit.name, depth: 0 });
  }
  return out;
}

/** The editable fields of a camera row. */
export interface CameraDraft {
  name: string;
  url: string;
  enabled: boolean;
  unit_id: string;
  analysis_fps: string;
}

export function draftOf(camera: Camera): CameraDraft {
  return {
    name: camera.name,
    url: camera.url,
    enabled: camera.enabled,
    unit_id: camera.unit_id,
    analysis_fps: String(camera.analysis_fps),
  };
}

/** Parses a number field; an empty or non-numeric value becomes NaN (the server reports it). */
export function parseNumber(value: string): number {
  return value.trim() === "" ? Number.NaN : Number(value);
}

/** Only the fields that differ from the camera, for PATCH /api/cameras/{id}. */
export function cameraChanges(camera: Camera, draft: CameraDraft): CameraUpdate {
  const changes: CameraUpdate = {};
  if (draft.name !== camera.name) changes.name = draft.name;
  if (draft.url !== camera.url) changes.url = draft.url;
  if (draft.enabled !== camera.enabled) changes.enabled = draft.enabled;
  if (draft.unit_id !== camera.unit_id) changes.unit = draft.unit_id;
  const fps = parseNumber(draft.analysis_fps);
  if (fps !== camera.analysis_fps) changes.analysis_fps = fps;
  return changes;
}

/** Hides a password embedded in a source URL: rtsp://user:secret@host → rtsp://user:***@host. */
export function maskUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/@:\s]*):([^/@\s]*)@/i, "$1$2:***@");
}
