"""The six rules: each evaluator reads `FrameFacts` and returns one `Condition` per subject."""

from __future__ import annotations

from collections import deque

import numpy as np

from events.model import EventKind
from vision.counting import Crossing
from vision.detections import CLASS_NAMES_ZH, Detections
from vision.geometry import Line, Zone
from vision.rules.config import (
    GatheringRule,
    IntrusionRule,
    LineCrossingRule,
    LoiteringRule,
    OvercrowdingRule,
    RuleBase,
    Tiered,
    VehicleFlowRule,
)
from vision.rules.facts import Condition, FrameFacts, ZoneFacts

DIRECTION_ZH = {"in": "进", "out": "出", "both": "双向"}


class Levels:
    """Tier levels with hysteresis, remembered per subject."""

    def __init__(self) -> None:
        self._level: dict[str, int] = {}

    def level(self, key: str, value: float, spec: Tiered) -> int:
        up = sum(value >= th for th in spec.thresholds)
        down = sum(value >= th * (1.0 - spec.hysteresis) for th in spec.thresholds)
        lvl = max(up, min(self._level.get(key, 0), down))
        self._level[key] = lvl
        return lvl


def _centroid(zone: Zone | None) -> tuple[float, float]:
    if zone is None:
        return (0.5, 0.5)
    xs, ys = zip(*zone.polygon, strict=True)
    return (float(np.clip(np.mean(xs), 0, 1)), float(np.clip(np.mean(ys), 0, 1)))


def _point(p: np.ndarray) -> tuple[float, float]:
    return (float(np.clip(p[0], 0.0, 1.0)), float(np.clip(p[1], 0.0, 1.0)))


class Evaluator:
    """Base: holds the rule, its id, the camera's zones and lines by id."""

    kind: EventKind

    def __init__(
        self, rule: RuleBase, rule_id: str, zones: dict[str, Zone], lines: dict[str, Line]
    ) -> None:
        self.rule = rule
        self.rule_id = rule_id
        self.zones = zones
        self.lines = lines
        self.levels = Levels()

    def evaluate(self, facts: FrameFacts) -> list[Condition]:
        raise NotImplementedError

    def _zone_facts(self, zone_id: str | None, facts: FrameFacts) -> tuple[ZoneFacts, str]:
        if zone_id is None:
            return facts.frame, "画面"
        return facts.zones[zone_id], f"「{self.zones[zone_id].name}」"


class OvercrowdingEval(Evaluator):
    kind: EventKind = "overcrowding"
    rule: OvercrowdingRule

    def evaluate(self, facts: FrameFacts) -> list[Condition]:
        r = self.rule
        zf, name = self._zone_facts(r.zone, facts)
        key = f"{self.rule_id}|{r.zone or ''}"
        value = zf.count.value if r.metric == "count" else zf.count.value / (r.area_m2 or 1.0)
        lvl = self.levels.level(key, value, r)
        if lvl == 0:
            return [Condition(self.kind, self.rule_id, key, False, zone_id=r.zone)]
        unit = "人" if r.metric == "count" else "人/m²"
        th = r.thresholds[lvl - 1]
        tier = r.tier_of_level(lvl)
        return [
            Condition(
                self.kind,
                self.rule_id,
                key,
                True,
                tier=tier,
                count=round(zf.count.value, 1),
                track_ids=zf.occupancy.track_ids[:100],
                point=_centroid(self.zones.get(r.zone or "")),
                zone_id=r.zone,
                message=f"{name}人数约{zf.count.value:.0f}人，"
                f"{'密度' if r.metric == 'density' else ''}达到{value:.1f}{unit}，"
                f"超过{tier_zh(tier)}阈值{th:g}{unit}",
                details={
                    "value": round(value, 2),
                    "threshold": th,
                    "metric": r.metric,
                    "detector_count": zf.count.detector,
                    "density_count": None if zf.density is None else round(zf.density, 1),
                    "count_source": zf.count.source,
                },
            )
        ]


def tier_zh(tier: int) -> str:
    return {1: "蓝色", 2: "黄色", 3: "橙色", 4: "红色"}[tier]


def _members(dets: Detections, mask: np.ndarray, classes: list[str]) -> Detections:
    ids = np.array(sorted(dets.class_ids_for(classes)), dtype=np.int64)
    keep = mask & np.isin(dets.class_id, ids)
    if dets.tracker_id is None:
        return dets[np.zeros(len(dets), dtype=bool)]
    return dets[keep]


class IntrusionEval(Evaluator):
    kind: EventKind = "intrusion"
    rule: IntrusionRule

    def evaluate(self, facts: FrameFacts) -> list[Condition]:
        r = self.rule
        key = f"{self.rule_id}|{r.zone}"
        zf, name = self._zone_facts(r.zone, facts)
        who = _members(facts.detections, zf.occupancy.inside, r.classes)
        if len(who) == 0 or who.tracker_id is None:
            return [Condition(self.kind, self.rule_id, key, False, zone_id=r.zone)]
        what = "、".join(sorted({CLASS_NAMES_ZH.get(n, n) for n in who.class_names()}))
        return [
            Condition(
                self.kind,
                self.rule_id,
                key,
                True,
                tier=r.tier,
                count=float(len(who)),
                track_ids=tuple(int(i) for i in who.tracker_id),
                point=_point(who.normalized_anchors()[0]),
                zone_id=r.zone,
                message=f"{name}（禁入区域）有{len(who)}个目标闯入：{what}",
                details={"objects": len(who), "classes": what},
            )
        ]


class LoiteringEval(Evaluator):
    kind: EventKind = "loitering"
    rule: LoiteringRule

    def evaluate(self, facts: FrameFacts) -> list[Condition]:
        r = self.rule
        key = f"{self.rule_id}|{r.zone}"
        zf, name = self._zone_facts(r.zone, facts)
        who = _members(facts.detections, zf.occupancy.inside, r.classes)
        dwell = zf.occupancy.dwell_s
        ids = [] if who.tracker_id is None else [int(i) for i in who.tracker_id]
        longest = max((dwell.get(i, 0.0) for i in ids), default=0.0)
        lvl = self.levels.level(key, longest, r)
        if lvl == 0:
            return [Condition(self.kind, self.rule_id, key, False, zone_id=r.zone)]
        first = r.thresholds[0]
        loiterers = [i for i in ids if dwell.get(i, 0.0) >= first * (1 - r.hysteresis)]
        at = ids.index(max(ids, key=lambda i: dwell.get(i, 0.0)))
        return [
            Condition(
                self.kind,
                self.rule_id,
                key,
                True,
                tier=r.tier_of_level(lvl),
                count=float(len(loiterers)),
                track_ids=tuple(loiterers),
                point=_point(who.normalized_anchors()[at]),
                zone_id=r.zone,
                message=f"{name}有{len(loiterers)}人逗留超过{first:g}秒（最长{longest:.0f}秒）",
                details={"longest_dwell_s": round(longest, 1), "threshold_s": first},
            )
        ]


class GatheringEval(Evaluator):
    kind: EventKind = "gathering"
    rule: GatheringRule

    def __init__(
        self, rule: RuleBase, rule_id: str, zones: dict[str, Zone], lines: dict[str, Line]
    ) -> None:
        super().__init__(rule, rule_id, zones, lines)
        self._history: deque[tuple[float, float]] = deque()

    def evaluate(self, facts: FrameFacts) -> list[Condition]:
        return [self._rate(facts) if self.rule.mode == "rate" else self._cluster(facts)]

    def _rate(self, facts: FrameFacts) -> Condition:
        r = self.rule
        key = f"{self.rule_id}|{r.zone or ''}"
        zf, name = self._zone_facts(r.zone, facts)
        now = zf.count.value
        self._history.append((facts.t, now))
        while self._history and facts.t - self._history[0][0] > r.window_s:
            self._history.popleft()
        low = min(c for _, c in self._history)
        rise = now - low
        rate = rise * 60.0 / r.window_s if rise >= r.min_rise else 0.0
        lvl = self.levels.level(key, rate, r)
        if lvl == 0:
            return Condition(self.kind, self.rule_id, key, False, zone_id=r.zone)
        return Condition(
            self.kind,
            self.rule_id,
            key,
            True,
            tier=r.tier_of_level(lvl),
            count=round(now, 1),
            track_ids=zf.occupancy.track_ids[:100],
            point=_centroid(self.zones.get(r.zone or "")),
            zone_id=r.zone,
            message=f"{name}人数{r.window_s:g}秒内增加{rise:.0f}人（约{rate:.0f}人/分），疑似异常聚集",
            details={
                "rise": round(rise, 1),
                "rate_per_min": round(rate, 1),
                "count": round(now, 1),
            },
        )

    def _cluster(self, facts: FrameFacts) -> Condition:
        r = self.rule
        key = f"{self.rule_id}|{r.zone or ''}"
        zf, name = self._zone_facts(r.zone, facts)
        people = _members(facts.detections, zf.occupancy.inside, ["person"])
        size, members, centre = 0, np.zeros(0, dtype=bool), (0.5, 0.5)
        if len(people) and people.tracker_id is not None:
            pts = people.anchors() / float(people.width)
            d2 = ((pts[:, None, :] - pts[None, :, :]) ** 2).sum(axis=2)
            near = d2 <= r.radius**2
            best = int(near.sum(axis=1).argmax())
            members = near[best]
            size = int(members.sum())
            centre = _point(people.normalized_anchors()[members].mean(axis=0))
        lvl = self.levels.level(key, float(size), r)
        if lvl == 0 or people.tracker_id is None:
            return Condition(self.kind, self.rule_id, key, False, zone_id=r.zone)
        return Condition(
            self.kind,
            self.rule_id,
            key,
            True,
            tier=r.tier_of_level(lvl),
            count=float(size),
            track_ids=tuple(int(i) for i in people.tracker_id[members]),
            point=centre,
            zone_id=r.zone,
            message=f"{name}有{size}人聚集在半径{r.radius:g}（画面宽度比例）范围内",
            details={"people": size, "radius": r.radius, "threshold": r.thresholds[0]},
        )


class LineRateEval(Evaluator):
    """Crossings per minute over a sliding window: the surge rule and vehicle flow."""

    rule: LineCrossingRule | VehicleFlowRule

    def __init__(
        self, rule: RuleBase, rule_id: str, zones: dict[str, Zone], lines: dict[str, Line]
    ) -> None:
        super().__init__(rule, rule_id, zones, lines)
        self._times: deque[tuple[float, int]] = deque()

    def _take(self, crossings: list[Crossing]) -> None:
        r = self.rule
        for c in crossings:
            wanted = c.line_id == r.line and c.class_name in r.classes
            if wanted and r.direction in ("both", c.direction):
                self._times.append((c.t, c.track_id))

    def evaluate(self, facts: FrameFacts) -> list[Condition]:
        r = self.rule
        key = f"{self.rule_id}|{r.line}|{r.direction}"
        self._take(facts.crossings)
        while self._times and facts.t - self._times[0][0] > r.window_s:
            self._times.popleft()
        n = len(self._times)
        rate = n * 60.0 / r.window_s
        lvl = self.levels.level(key, rate, r)
        if lvl == 0:
            return [Condition(self.kind, self.rule_id, key, False, line_id=r.line)]
        line = self.lines[r.line]
        mid = ((line.a[0] + line.b[0]) / 2.0, (line.a[1] + line.b[1]) / 2.0)
        th = r.thresholds[lvl - 1]
        return [
            Condition(
                self.kind,
                self.rule_id,
                key,
                True,
                tier=r.tier_of_level(lvl),
                count=float(n),
                track_ids=tuple(sorted({tid for _, tid in self._times}))[:100],
                point=mid,
                line_id=r.line,
                message=self._message(line, n, rate, th),
                details={
                    "crossings": n,
                    "window_s": r.window_s,
                    "rate_per_min": round(rate, 1),
                    "threshold_per_min": th,
                    "direction": r.direction,
                },
            )
        ]

    def _message(self, line: Line, n: int, rate: float, th: float) -> str:
        d = self.rule.direction
        way = {"in": line.in_name, "out": line.out_name}.get(d, DIRECTION_ZH["both"])
        return (
            f"「{line.name}」{way}方向{self.rule.window_s:g}秒内通过{n}人次"
            f"（{rate:.0f}人次/分），超过阈值{th:g}人次/分"
        )


class LineCrossingEval(LineRateEval):
    kind: EventKind = "line_crossing"


class VehicleFlowEval(LineRateEval):
    kind: EventKind = "vehicle_flow"

    def _message(self, line: Line, n: int, rate: float, th: float) -> str:
        return (
            f"「{line.name}」车流{rate:.0f}辆/分（{self.rule.window_s:g}秒内{n}辆），"
            f"达到拥堵阈值{th:g}辆/分"
        )
