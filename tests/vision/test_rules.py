"""Each rule fires, and does not fire, on synthetic scenes run through the real tracker and
analytics; a persistent condition makes one event (opened, updated, closed), not a storm."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.vision.scenes import Walker, move, run_scene, still
from vision.analytics import CameraAnalysisConfig
from vision.geometry import Line, Zone
from vision.rules import RulesConfig

PLAZA = Zone(id="plaza", name="广场", polygon=[(0.2, 0.2), (0.8, 0.2), (0.8, 0.9), (0.2, 0.9)])
GATE = Zone(
    id="gate",
    name="闸口",
    polygon=[(0.0, 0.3), (0.15, 0.3), (0.15, 0.95), (0.0, 0.95)],
    restricted=True,
)
DOOR = Line(id="door", name="大门", a=(0.1, 0.5), b=(0.9, 0.5))  # walking down = "in"


def crowd(n: int, t0: float = 0.0, t1: float = 1e9, y: float = 0.6) -> list[Walker]:
    """n people standing in a row inside the plaza, well apart."""
    return [
        ("person", still(0.25 + 0.5 * i / max(1, n - 1), y + 0.05 * (i % 2), t0, t1))
        for i in range(n)
    ]


def walkers_down(
    n: int, cls: str = "person", spacing: float = 2.0, x0: float = 0.3
) -> list[Walker]:
    """n objects crossing DOOR downwards, one every `spacing` s, each at its own x."""
    return [
        (cls, move((x0 + 0.08 * i, 0.3), (x0 + 0.08 * i, 0.7), 1 + spacing * i, 4 + spacing * i))
        for i in range(n)
    ]


@dataclass
class Case:
    name: str
    rules: dict[str, Any]
    objects: list[Walker]
    seconds: float
    opens: dict[str, int]  # kind -> events opened
    density: float | None = None
    checks: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case(
        "overcrowding fires",
        {"overcrowding": [{"zone": "plaza", "thresholds": [5], "min_duration_s": 1}]},
        crowd(6),
        5,
        {"overcrowding": 1},
        checks={"tier": 1, "count": 6.0},
    ),
    Case(
        "overcrowding stays quiet below the threshold",
        {"overcrowding": [{"zone": "plaza", "thresholds": [5], "min_duration_s": 1}]},
        crowd(4),
        5,
        {},
    ),
    Case(
        "overcrowding counts the density map where the detector sees no one",
        {"overcrowding": [{"thresholds": [20], "min_duration_s": 0}]},
        [],
        3,
        {"overcrowding": 1},
        density=30.0,
        checks={"count_source": "density"},
    ),
    Case(
        "intrusion fires for a person entering a restricted zone",
        {},
        [("person", move((0.4, 0.6), (0.05, 0.6), 0, 4))],
        6,
        {"intrusion": 1},
        checks={"tier": 3},
    ),
    Case(
        "intrusion ignores classes it does not watch",
        {},
        [("car", move((0.4, 0.6), (0.05, 0.6), 0, 4))],
        6,
        {},
    ),
    Case(
        "intrusion ignores people outside the zone",
        {},
        [("person", move((0.4, 0.6), (0.3, 0.6), 0, 4))],
        6,
        {},
    ),
    Case(
        "intrusion outside its schedule stays quiet",  # T0 is 06:13 on a Wednesday in Shanghai
        {
            "auto_intrusion": False,
            "intrusion": [{"zone": "gate", "schedule": {"start": "22:00", "end": "06:00"}}],
        },
        [("person", move((0.4, 0.6), (0.05, 0.6), 0, 4))],
        6,
        {},
    ),
    Case(
        "intrusion inside its schedule fires",
        {
            "auto_intrusion": False,
            "intrusion": [
                {"zone": "gate", "schedule": {"start": "06:00", "end": "07:00", "days": [2]}}
            ],
        },
        [("person", move((0.4, 0.6), (0.05, 0.6), 0, 4))],
        6,
        {"intrusion": 1},
    ),
    Case(
        "line crossing surge fires",
        {"line_crossing": [{"line": "door", "direction": "in", "thresholds": [3]}]},
        walkers_down(3),
        10,
        {"line_crossing": 1},
        checks={"count": 3.0},
    ),
    Case(
        "line crossing below the surge rate is quiet",
        {"line_crossing": [{"line": "door", "direction": "in", "thresholds": [3]}]},
        walkers_down(2),
        10,
        {},
    ),
    Case(
        "line crossing in the other direction is quiet",
        {"line_crossing": [{"line": "door", "direction": "out", "thresholds": [1]}]},
        walkers_down(3),
        10,
        {},
    ),
    Case(
        "loitering fires after the dwell time",
        {"loitering": [{"zone": "plaza", "thresholds": [10]}]},
        [("person", still(0.5, 0.6))],
        15,
        {"loitering": 1},
    ),
    Case(
        "passing through is not loitering",
        {"loitering": [{"zone": "plaza", "thresholds": [10]}]},
        [("person", move((0.25, 0.6), (0.75, 0.6), 0, 6))],
        15,
        {},
    ),
    Case(
        "a fast-growing crowd is a gathering",
        {
            "gathering": [
                {
                    "mode": "rate",
                    "zone": "plaza",
                    "thresholds": [5],
                    "min_rise": 5,
                    "min_duration_s": 0,
                }
            ]
        },
        [("person", still(0.25 + 0.07 * i, 0.6 + 0.05 * (i % 2), t0=i)) for i in range(8)],
        12,
        {"gathering": 1},
    ),
    Case(
        "a slowly growing crowd is not",
        {
            "gathering": [
                {
                    "mode": "rate",
                    "zone": "plaza",
                    "thresholds": [5],
                    "min_rise": 5,
                    "min_duration_s": 0,
                }
            ]
        },
        [("person", still(0.25 + 0.1 * i, 0.6, t0=25 * i)) for i in range(4)],
        90,
        {},
    ),
    Case(
        "people standing close together for a while gather",
        {"gathering": [{"mode": "cluster", "radius": 0.1, "thresholds": [4], "min_duration_s": 3}]},
        [("person", still(0.45 + 0.045 * (i % 2), 0.5 + 0.12 * (i // 2))) for i in range(4)],
        6,
        {"gathering": 1},
    ),
    Case(
        "people far apart do not",
        {"gathering": [{"mode": "cluster", "radius": 0.1, "thresholds": [4], "min_duration_s": 3}]},
        crowd(4),
        6,
        {},
    ),
    Case(
        "vehicle flow over the congestion threshold",
        {"vehicle_flow": [{"line": "door", "thresholds": [5]}]},
        walkers_down(5, "car", 1.5, 0.2),
        12,
        {"vehicle_flow": 1},
    ),
    Case(
        "people crossing are not vehicle flow",
        {"vehicle_flow": [{"line": "door", "thresholds": [5]}]},
        walkers_down(5, "person", 1.5, 0.2),
        12,
        {},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rule(case: Case) -> None:
    cfg = CameraAnalysisConfig(
        camera_id="cam-1",
        zones=[PLAZA, GATE],
        lines=[DOOR],
        rules=RulesConfig.model_validate(case.rules),
    )
    def density(t: float) -> float | None:
        return case.density

    run = run_scene(cfg, case.objects, case.seconds, density=density)
    opened: dict[str, int] = {}
    for kind in run.kinds("open"):
        opened[kind] = opened.get(kind, 0) + 1
    assert opened == case.opens
    for ev in [e for e in run.events if e.state == "open"]:
        assert ev.camera_id == "cam-1"
        assert ev.snapshot is not None
        assert ev.snapshot[:2] == b"\xff\xd8"
        assert ev.point is not None
        assert ev.message
        if "tier" in case.checks:
            assert ev.tier == case.checks["tier"]
        if "count" in case.checks:
            assert ev.count == case.checks["count"]
        if "count_source" in case.checks:
            assert ev.details["count_source"] == case.checks["count_source"]
    # every opened event is closed exactly once, with the same id
    opens = {e.id for e in run.events if e.state == "open"}
    assert opens == {e.id for e in run.events if e.state == "closed"}


def _overcrowding(**rule: Any) -> CameraAnalysisConfig:
    base = {"zone": "plaza", "thresholds": [6], "min_duration_s": 0, "clear_after_s": 0}
    return CameraAnalysisConfig(
        camera_id="cam-1",
        zones=[PLAZA],
        rules=RulesConfig.model_validate({"overcrowding": [{**base, **rule}]}),
    )


def flicker(high: int, low: int, period: float, seconds: float) -> list[Walker]:
    """`high` people, of whom high-low step out and back every `period` seconds."""
    stay = crowd(low)
    extra: list[Walker] = []
    for i in range(high - low):
        x = 0.3 + 0.1 * i
        for k in range(int(seconds / (2 * period)) + 1):
            extra.append(("person", still(x, 0.8, 2 * k * period, (2 * k + 1) * period - 0.01)))
    return stay + extra


def test_hysteresis_keeps_one_event_while_the_count_wavers() -> None:
    people = flicker(6, 5, 1.0, 20)
    steady = run_scene(_overcrowding(hysteresis=0.2, cooldown_s=0), people, 20)
    assert steady.kinds("open") == ["overcrowding"]
    jumpy = run_scene(_overcrowding(hysteresis=0.0, cooldown_s=0), people, 20)
    assert len(jumpy.kinds("open")) > 3  # without hysteresis every dip closes the event


def test_cooldown_suppresses_a_repeat_and_then_lets_it_through() -> None:
    people = crowd(6, 0, 5) + crowd(6, 10, 15, y=0.7)
    within = run_scene(_overcrowding(cooldown_s=30, clear_after_s=1), people, 16)
    assert within.kinds("open") == ["overcrowding"]
    after = run_scene(_overcrowding(cooldown_s=2, clear_after_s=1), people, 16)
    assert after.kinds("open") == ["overcrowding", "overcrowding"]


def test_a_persistent_condition_is_one_event_updated_then_closed() -> None:
    cfg = _overcrowding(thresholds=[5, 10], update_interval_s=10, clear_after_s=2)
    people = crowd(6, 0, 60) + crowd(6, 20, 60, y=0.8)  # 6 people, then 12 from t=20
    run = run_scene(cfg, people, 60)
    ids = {e.id for e in run.events}
    assert len(ids) == 1
    states = [e.state for e in run.events]
    assert states[0] == "open"
    assert states[-1] == "closed"
    assert states.count("updated") <= 7  # at most one update per 10 s, plus the tier change
    tiers = [e.tier for e in run.events]
    assert tiers[0] == 1
    assert max(tiers) == 2
    first_tier2 = next(e for e in run.events if e.tier == 2)
    assert first_tier2.state == "updated"
    assert first_tier2.snapshot is not None  # a rise in tier takes a new snapshot
    assert (first_tier2.updated_at - run.events[0].started_at).total_seconds() == pytest.approx(
        20, abs=1
    )
    closed = run.events[-1]
    assert closed.ended_at is not None
    assert closed.details["peak"] == 12.0


def test_rules_refer_to_existing_zones_and_lines() -> None:
    with pytest.raises(ValueError, match="zone 'nowhere'"):
        CameraAnalysisConfig(
            camera_id="c", rules=RulesConfig.model_validate({"loitering": [{"zone": "nowhere"}]})
        )
    with pytest.raises(ValueError, match="line 'nowhere'"):
        CameraAnalysisConfig(
            camera_id="c", rules=RulesConfig.model_validate({"vehicle_flow": [{"line": "nowhere"}]})
        )


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"thresholds": [10, 5]}, "ascending"),
        ({"thresholds": [5], "tiers": [5]}, "1–4"),
        ({"thresholds": [5], "metric": "density"}, "area_m2"),
    ],
)
def test_bad_thresholds_are_refused(rule: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RulesConfig.model_validate({"overcrowding": [rule]})
