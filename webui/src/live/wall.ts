/** Video-wall state: layout (1/4/9/16 tiles), camera groups and which camera each tile shows. */
import type { Camera } from "../types";

export type LayoutSize = 1 | 4 | 9 | 16;
export const LAYOUTS: readonly LayoutSize[] = [1, 4, 9, 16];
export const MAX_TILES = 16;
export const WALL_KEY = "cityeye.wall";

export interface CameraGroup {
  /** "all", "unit:<unit id>" or "custom:<name>". */
  id: string;
  name: string;
  cameraIds: string[];
}

export interface WallState {
  layout: LayoutSize;
  group: string;
  /** Camera id shown in each tile (MAX_TILES entries; null = empty tile). */
  tiles: (string | null)[];
  custom: { name: string; cameraIds: string[] }[];
}

export function columns(layout: LayoutSize): number {
  return Math.round(Math.sqrt(layout));
}

export function groupsOf(
  cameras: readonly Camera[],
  custom: WallState["custom"],
  allName: string,
): CameraGroup[] {
  const units = new Map<string, CameraGroup>();
  for (const c of cameras) {
    const id = `unit:${c.unit_id}`;
    const group = units.get(id) ?? { id, name: c.unit_name, cameraIds: [] };
    group.cameraIds.push(c.id);
    units.set(id, group);
  }
  return [
    { id: "all", name: allName, cameraIds: cameras.map((c) => c.id) },
    ...[...units.values()].sort((a, b) => a.name.localeCompare(b.name)),
    ...custom.map((g) => ({ id: `custom:${g.name}`, name: g.name, cameraIds: [...g.cameraIds] })),
  ];
}

/** Tiles showing the group's cameras in order (the rest empty). */
export function fillTiles(cameraIds: readonly string[]): (string | null)[] {
  return Array.from({ length: MAX_TILES }, (_, i) => cameraIds[i] ?? null);
}

/** Put a camera into a tile; if it was already in another tile the two tiles swap. */
export function assign(
  tiles: readonly (string | null)[],
  index: number,
  cameraId: string,
): (string | null)[] {
  const next = [...tiles];
  const from = next.indexOf(cameraId);
  if (from >= 0) next[from] = next[index] ?? null;
  next[index] = cameraId;
  return next;
}

/** Drop tiles of cameras that no longer exist (or are not visible to this user). */
export function prune(tiles: readonly (string | null)[], known: ReadonlySet<string>) {
  return tiles.map((id) => (id !== null && known.has(id) ? id : null));
}

export function initialWall(): WallState {
  return { layout: 4, group: "all", tiles: fillTiles([]), custom: [] };
}

function isLayout(v: unknown): v is LayoutSize {
  return v === 1 || v === 4 || v === 9 || v === 16;
}

export function loadWall(storage: Pick<Storage, "getItem">): WallState | null {
  try {
    const raw = storage.getItem(WALL_KEY);
    if (!raw) return null;
    const v = JSON.parse(raw) as Partial<WallState>;
    if (!isLayout(v.layout) || !Array.isArray(v.tiles) || typeof v.group !== "string") return null;
    const tiles = fillTiles([]).map((_, i) => {
      const id = v.tiles?.[i];
      return typeof id === "string" ? id : null;
    });
    const custom = Array.isArray(v.custom)
      ? v.custom.filter((g) => typeof g?.name === "string" && Array.isArray(g.cameraIds))
      : [];
    return { layout: v.layout, group: v.group, tiles, custom };
  } catch {
    return null;
  }
}

export function saveWall(storage: Pick<Storage, "setItem">, state: WallState): void {
  storage.setItem(WALL_KEY, JSON.stringify(state));
}
