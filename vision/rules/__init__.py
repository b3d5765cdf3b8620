"""Rules -> events: six rule kinds, with hysteresis, minimum duration, cooldown and dedup."""

from vision.rules.config import (
    GatheringRule,
    IntrusionRule,
    LineCrossingRule,
    LoiteringRule,
    OvercrowdingRule,
    RulesConfig,
    Schedule,
    VehicleFlowRule,
)
from vision.rules.engine import RulesEngine, check_references
from vision.rules.facts import Condition, FrameFacts, ZoneFacts
from vision.rules.lifecycle import Emission, Lifecycle

__all__ = [
    "Condition",
    "Emission",
    "FrameFacts",
    "GatheringRule",
    "IntrusionRule",
    "Lifecycle",
    "LineCrossingRule",
    "LoiteringRule",
    "OvercrowdingRule",
    "RulesConfig",
    "RulesEngine",
    "Schedule",
    "VehicleFlowRule",
    "ZoneFacts",
    "check_references",
]
