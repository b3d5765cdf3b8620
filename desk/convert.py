"""Rows to API values, and the small frozen values the store passes back to the service."""

from __future__ import annotations

from dataclasses import dataclass

from desk.model import AlertOut, AlertStep, Change
from desk.orm import AlertRow, AlertStepRow


@dataclass(frozen=True)
class Actor:
    """Who takes an action: a logged-in user or the dispatch platform (`role` None)."""

    username: str
    display_name: str
    platform: bool = False


SYSTEM = Actor("system", "系统")


@dataclass(frozen=True)
class AlertChange:
    """What one write did to one alert: the new version and how it changed."""

    alert: AlertOut
    change: Change
    notify_role: str | None = None
    by_platform: bool = False
    delivery_id: str | None = None  # the outbound webhook written with the change


def alert_out(row: AlertRow) -> AlertOut:
    return AlertOut.model_validate(
        {name: getattr(row, name) for name in AlertOut.model_fields}
    )


def step_out(row: AlertStepRow) -> AlertStep:
    return AlertStep.model_validate(
        {name: getattr(row, name) for name in AlertStep.model_fields}
    )
