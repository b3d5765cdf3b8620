"""From the vision pipeline to flow points: `observation` reduces a `CameraState` to what flow
needs; `bucket_points` turns a finished minute into zone, line and area points."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from flow.aggregate import CrossingObs, Key, Member, MinuteBucket, Observation
from flow.areas import AreaConfig
from flow.metrics import COUNT, IN, LEVEL, OD_PREFIX, OUT, Point, area_scope, zone_scope
from vision.analytics import CameraState
from vision.geometry import Zone, points_in_polygon


def observation(state: CameraState, zones: Sequence[Zone]) -> Observation:
    """Zone counts, anonymous zone membership of tracks and this frame's line crossings."""
    dets = state.detections
    members: list[Member] = []
    if dets.tracker_id is not None and len(dets) > 0:
        anchors = dets.normalized_anchors("bottom_center")
        names = dets.class_names()
        for z in zones:
            inside = points_in_polygon(anchors, z.polygon)
            members.extend(
                Member(z.id, int(tid), names[i])
                for i, (tid, ok) in enumerate(zip(dets.tracker_id, inside, strict=True)) if ok
            )
    return Observation(
        camera_id=state.camera_id,
        t=state.captured_at,
        zone_counts={zid: zc.count for zid, zc in state.zones.items()},
        members=tuple(members),
        crossings=tuple(CrossingObs(c.line_id, c.direction, c.class_name)
                        for c in state.crossings),
    )


def _zone_points(b: MinuteBucket) -> list[Point]:
    out = []
    for (cam, zid), zm in b.zones.items():
        scope = zone_scope(cam, zid)
        if zm.frames:
            out.append(Point(scope, COUNT, 60, b.start, zm.count))
        for d in (zm.modes, zm.dwell):
            out.extend(Point(scope, k, 60, b.start, float(v)) for k, v in d.items())
        out.extend(Point(scope, OD_PREFIX + dest, 60, b.start, float(v))
                   for dest, v in zm.od.items())
    for (cam, lid), dirs in b.lines.items():
        scope = f"line:{cam}/{lid}"
        out.extend(Point(scope, d, 60, b.start, float(v)) for d, v in dirs.items())
    return out


def _area_points(b: MinuteBucket, area: AreaConfig, area_of: dict[Key, str]) -> list[Point]:
    scope = area_scope(area.id)
    keys = [(z.camera, z.zone) for z in area.zones]
    seen = [b.zones[k] for k in keys if k in b.zones and b.zones[k].frames]
    sums: dict[str, float] = defaultdict(float)
    for k in keys:
        zm = b.zones.get(k)
        if zm is None:
            continue
        for d in (zm.modes, zm.dwell):
            for metric, v in d.items():
                sums[metric] += v
        for dest_zone, v in zm.od.items():
            dest = area_of.get((k[0], dest_zone))
            if dest is not None and dest != area.id:
                sums[OD_PREFIX + dest] += v
    for ln in area.lines:
        dirs = b.lines.get((ln.camera, ln.line), {})
        sums[IN] += dirs.get("out" if ln.invert else "in", 0)
        sums[OUT] += dirs.get("in" if ln.invert else "out", 0)
    out = [Point(scope, m, 60, b.start, v) for m, v in sums.items()]
    if seen:
        count = sum(zm.count for zm in seen)
        out += [Point(scope, COUNT, 60, b.start, count),
                Point(scope, LEVEL, 60, b.start, float(area.tier_of(count)))]
    return out


def bucket_points(b: MinuteBucket, areas: Sequence[AreaConfig]) -> list[Point]:
    """Every point of one finished minute (live, not simulated)."""
    area_of = {(z.camera, z.zone): a.id for a in areas for z in a.zones}
    points = _zone_points(b)
    for area in areas:
        if area.zones or area.lines:
            points += _area_points(b, area, area_of)
    return points
