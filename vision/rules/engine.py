"""The rules engine of one camera: evaluators for the configured rules, one lifecycle."""

from __future__ import annotations

from collections.abc import Sequence

from vision.geometry import Line, Zone
from vision.rules.config import IntrusionRule, RuleBase, RulesConfig
from vision.rules.evaluators import (
    Evaluator,
    GatheringEval,
    IntrusionEval,
    LineCrossingEval,
    LoiteringEval,
    OvercrowdingEval,
    VehicleFlowEval,
)
from vision.rules.facts import FrameFacts
from vision.rules.lifecycle import Emission, Lifecycle


def check_references(rules: RulesConfig, zones: Sequence[Zone], lines: Sequence[Line]) -> None:
    """Raises ValueError naming the first rule that refers to a zone or line that is not there."""
    zone_ids = {z.id for z in zones}
    line_ids = {ln.id for ln in lines}
    for zid in rules.zone_refs():
        if zid not in zone_ids:
            raise ValueError(f"a rule refers to zone {zid!r}, which this camera does not have")
    for lid in rules.line_refs():
        if lid not in line_ids:
            raise ValueError(f"a rule refers to line {lid!r}, which this camera does not have")


class RulesEngine:
    def __init__(
        self, camera_id: str, rules: RulesConfig, zones: Sequence[Zone], lines: Sequence[Line]
    ) -> None:
        check_references(rules, zones, lines)
        zmap = {z.id: z for z in zones}
        lmap = {ln.id: ln for ln in lines}
        self.lifecycle = Lifecycle(camera_id)
        self.evaluators: list[Evaluator] = []
        groups: list[tuple[type[Evaluator], Sequence[RuleBase]]] = [
            (OvercrowdingEval, rules.overcrowding),
            (IntrusionEval, [*rules.intrusion, *self._auto_intrusion(rules, zones)]),
            (LineCrossingEval, rules.line_crossing),
            (LoiteringEval, rules.loitering),
            (GatheringEval, rules.gathering),
            (VehicleFlowEval, rules.vehicle_flow),
        ]
        for cls, group in groups:
            for i, rule in enumerate(group):
                if rule.enabled:
                    rid = rule.id or f"{cls.kind}-{i + 1}"
                    self.evaluators.append(cls(rule, rid, zmap, lmap))

    @staticmethod
    def _auto_intrusion(rules: RulesConfig, zones: Sequence[Zone]) -> list[IntrusionRule]:
        if not rules.auto_intrusion:
            return []
        covered = {r.zone for r in rules.intrusion}
        return [
            IntrusionRule(id=f"intrusion-{z.id}", zone=z.id)
            for z in zones
            if z.restricted and z.id not in covered
        ]

    def step(self, facts: FrameFacts) -> list[Emission]:
        out: list[Emission] = []
        for ev in self.evaluators:
            sched = ev.rule.schedule
            in_hours = sched is None or sched.active(facts.t)
            for cond in ev.evaluate(facts):
                if not in_hours and cond.active:
                    cond = type(cond)(cond.kind, cond.rule_id, cond.key, active=False)
                em = self.lifecycle.step(ev.rule, cond, facts.t, facts.pts)
                if em is not None:
                    out.append(em)
        return out

    def close_all(self, t: float, pts: float) -> list[Emission]:
        return self.lifecycle.close_all(t, pts)
