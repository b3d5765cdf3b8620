import { useCallback, useEffect, useMemo, useState, type DragEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import { useApi } from "../apiContext";
import { CameraCard } from "../components/CameraCard";
import { ErrorText } from "../components/ErrorText";
import { StatusBadge } from "../components/StatusBadge";
import { errorLines } from "../errorMessage";
import { currentLang, HTML_LANG } from "../i18n";
import { DEFAULT_LAYERS } from "../live/draw";
import { LivePlayer } from "../live/LivePlayer";
import {
  assign,
  columns,
  fillTiles,
  groupsOf,
  initialWall,
  LAYOUTS,
  loadWall,
  prune,
  saveWall,
  type LayoutSize,
  type WallState,
} from "../live/wall";
import type { Camera } from "../types";
import { usePolling } from "../usePolling";
import { districtTime } from "../districtTime";

export const WALL_POLL_MS = 2000;
const DRAG_TYPE = "text/plain";

export function wallSummary(cameras: readonly Camera[]): { online: number; total: number } {
  return {
    online: cameras.filter((c) => c.status === "online").length,
    total: cameras.length,
  };
}

function useWallState(): [WallState, (next: WallState) => void, boolean] {
  const [saved] = useState(() => loadWall(window.localStorage));
  const [wall, setWall] = useState<WallState>(saved ?? initialWall());
  const update = useCallback((next: WallState) => {
    setWall(next);
    saveWall(window.localStorage, next);
  }, []);
  return [wall, update, saved !== null];
}

export function WallPage() {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const fetchCameras = useCallback((signal: AbortSignal) => api.cameras(signal), [api]);
  const { data: cameras, error, updatedAt } = usePolling(fetchCameras, WALL_POLL_MS);
  const summary = wallSummary(cameras ?? []);
  const locale = HTML_LANG[currentLang(i18n)];
  const [wall, setWall, hadSaved] = useWallState();
  const [groupName, setGroupName] = useState("");
  const groups = useMemo(
    () => groupsOf(cameras ?? [], wall.custom, t("wall.groupAll")),
    [cameras, wall.custom, t],
  );
  const byId = useMemo(() => new Map((cameras ?? []).map((c) => [c.id, c])), [cameras]);

  // First load without a saved wall: show the cameras of the selected group.
  const [filled, setFilled] = useState(hadSaved);
  useEffect(() => {
    if (filled || !cameras) return;
    const group = groups.find((g) => g.id === wall.group) ?? groups[0];
    setWall({ ...wall, tiles: fillTiles(group?.cameraIds ?? []) });
    setFilled(true);
  }, [filled, cameras, groups, wall, setWall]);

  const tiles = cameras ? prune(wall.tiles, new Set(byId.keys())) : wall.tiles;

  const chooseGroup = (id: string): void => {
    const group = groups.find((g) => g.id === id);
    setWall({ ...wall, group: id, tiles: fillTiles(group?.cameraIds ?? []) });
  };
  const saveGroup = (): void => {
    const name = groupName.trim();
    if (!name) return;
    const ids = tiles.slice(0, wall.layout).filter((x): x is string => x !== null);
    const custom = [...wall.custom.filter((g) => g.name !== name), { name, cameraIds: ids }];
    setWall({ ...wall, custom, group: `custom:${name}` });
    setGroupName("");
  };
  const drop = (index: number, ev: DragEvent<HTMLDivElement>): void => {
    ev.preventDefault();
    const id = ev.dataTransfer.getData(DRAG_TYPE);
    if (id && byId.has(id)) setWall({ ...wall, tiles: assign(tiles, index, id) });
  };

  return (
    <div className="page page-wall">
      <div className="page-head">
        <h1 className="page-title" data-testid="page-title">
          {t("wall.title")}
        </h1>
        {cameras && (
          <div className="wall-summary" data-testid="wall-summary">
            <span className="summary-dot" aria-hidden="true" />
            {t("wall.summary", summary)}
          </div>
        )}
        {updatedAt !== null && (
          <div className="muted small">
            {t("wall.updated", {
              time: districtTime(updatedAt, locale),
            })}
          </div>
        )}
      </div>
      {error !== null && (
        <ErrorText lines={[t("error.loadCameras"), ...errorLines(error, t)]} testId="wall-error" />
      )}
      {cameras === null && error === null && <p className="muted">{t("app.loading")}</p>}
      {cameras !== null && cameras.length === 0 && (
        <p className="empty" data-testid="wall-empty">
          {t("wall.empty")}
        </p>
      )}
      {cameras !== null && cameras.length > 0 && (
        <>
          <div className="wall-toolbar" data-testid="wall-toolbar">
            <div className="wall-layouts" role="group" aria-label={t("wall.layoutLabel")}>
              {LAYOUTS.map((n: LayoutSize) => (
                <button
                  key={n}
                  type="button"
                  className={wall.layout === n ? "btn btn-sm btn-primary" : "btn btn-sm"}
                  aria-pressed={wall.layout === n}
                  data-testid={`wall-layout-${n}`}
                  onClick={() => setWall({ ...wall, layout: n })}
                >
                  {t("wall.layout", { n })}
                </button>
              ))}
            </div>
            <label className="wall-group">
              <span className="muted small">{t("wall.group")}</span>
              <select
                data-testid="wall-group"
                value={groups.some((g) => g.id === wall.group) ? wall.group : "all"}
                onChange={(e) => chooseGroup(e.target.value)}
              >
                {groups.map((g) => (
                  <option key={g.id} value={g.id}>
                    {g.name} ({g.cameraIds.length})
                  </option>
                ))}
              </select>
            </label>
            <div className="wall-save">
              <input
                className="wall-group-input"
                data-testid="wall-group-name"
                placeholder={t("wall.groupName")}
                value={groupName}
                onChange={(e) => setGroupName(e.target.value)}
              />
              <button type="button" className="btn btn-sm" data-testid="wall-save-group"
                onClick={saveGroup} disabled={!groupName.trim()}>
                {t("wall.saveGroup")}
              </button>
            </div>
          </div>
          <div
            className="wall-grid"
            data-testid="wall-grid"
            data-layout={wall.layout}
            style={{ gridTemplateColumns: `repeat(${columns(wall.layout)}, minmax(0, 1fr))` }}
          >
            {tiles.slice(0, wall.layout).map((id, index) => {
              const camera = id !== null ? byId.get(id) : undefined;
              return (
                <div
                  key={index}
                  className="wall-tile"
                  data-testid="wall-tile"
                  data-tile-index={index}
                  data-camera-id={camera?.id ?? ""}
                  onDragOver={(ev) => ev.preventDefault()}
                  onDrop={(ev) => drop(index, ev)}
                >
                  {camera ? (
                    <>
                      <LivePlayer key={camera.id} camera={camera} layers={DEFAULT_LAYERS} compact />
                      <div className="wall-tile-bar">
                        <Link to={`/live/${encodeURIComponent(camera.id)}`} className="wall-tile-name"
                          data-testid="wall-tile-open" title={t("wall.open")}>
                          {camera.name}
                        </Link>
                        <StatusBadge status={camera.status} />
                      </div>
                    </>
                  ) : (
                    <div className="wall-tile-empty">{t("wall.tileEmpty")}</div>
                  )}
                </div>
              );
            })}
          </div>
          <h2 className="panel-subtitle wall-list-title">{t("wall.cameras")}</h2>
          <div className="camera-grid" data-testid="camera-grid">
            {cameras.map((camera) => (
              <div
                key={camera.id}
                className="wall-camera"
                draggable
                data-testid="wall-camera"
                data-camera-id={camera.id}
                onDragStart={(ev) => {
                  ev.dataTransfer.setData(DRAG_TYPE, camera.id);
                  ev.dataTransfer.effectAllowed = "copy";
                }}
              >
                <CameraCard camera={camera} />
              </div>
            ))}
          </div>
        </>
      )}
    </div>
  );
}
