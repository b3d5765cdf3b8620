"""Metric names of the flow series and how each is downsampled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

COUNT = "count"  # people present (hybrid count), mean over the step
IN = "in"  # entries over the step (lines)
OUT = "out"  # exits over the step
LEVEL = "level"  # density tier 0–4 (max over the step)
MODES = ("mode_pedestrian", "mode_bicycle", "mode_vehicle")  # arrivals by travel mode
DWELL_EDGES_MIN = (1.0, 5.0, 15.0, 30.0, 60.0)
DWELL = ("dwell_lt1", "dwell_1_5", "dwell_5_15", "dwell_15_30", "dwell_30_60", "dwell_gt60")
OD_PREFIX = "od:"  # od:<destination area or zone id>: departures towards it
BASE_METRICS = (COUNT, IN, OUT, LEVEL, *MODES, *DWELL)
STEPS = (60, 900, 3600)

# COCO class -> travel mode; other classes are not counted as travellers.
MODE_OF_CLASS = {
    "person": "mode_pedestrian",
    "bicycle": "mode_bicycle",
    "motorcycle": "mode_bicycle",
    "car": "mode_vehicle",
    "bus": "mode_vehicle",
    "truck": "mode_vehicle",
}

Agg = Literal["mean", "max", "sum"]


def aggregation(metric: str) -> Agg:
    if metric == COUNT:
        return "mean"
    if metric == LEVEL:
        return "max"
    return "sum"


def is_metric(metric: str) -> bool:
    return metric in BASE_METRICS or (metric.startswith(OD_PREFIX) and len(metric) > 3)


def dwell_bin(seconds: float) -> str:
    minutes = seconds / 60.0
    for edge, name in zip(DWELL_EDGES_MIN, DWELL, strict=False):
        if minutes < edge:
            return name
    return DWELL[-1]


def area_scope(area_id: str) -> str:
    return f"area:{area_id}"


def zone_scope(camera_id: str, zone_id: str) -> str:
    return f"zone:{camera_id}/{zone_id}"


@dataclass(frozen=True)
class Point:
    scope: str
    metric: str
    step_s: int
    t: datetime  # start of the step, UTC
    value: float
    simulated: bool = False
