"""Typed messages the live path sends to the browser (data channel / MJPEG stream / REST)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class LiveStatus(BaseModel):
    """A camera's live state: GET /api/cameras/{id}/live, and the data channel's stats."""

    camera_id: str
    camera_status: str  # ingest status: connecting / online / stalled / offline / error
    last_error: str | None
    mode: str  # starting / passthrough / encode, or "idle" without viewers
    viewers: int
    webrtc_viewers: int
    mjpeg_viewers: int
    fps_in: float
    codec: str | None
    width: int | None
    height: int | None


class StatsMessage(BaseModel):
    type: Literal["stats"] = "stats"
    session_id: str
    frames_sent: int
    skipped: int
    live: LiveStatus


class ClockMessage(BaseModel):
    """RTP timestamp of a frame = (origin + ticks) mod 2**32; ``captured_at`` is when ingest
    received the frame at ``ticks`` (wall clock, seconds) and ``server_time`` is now."""

    type: Literal["clock"] = "clock"
    origin: int
    ticks: int
    captured_at: float
    server_time: float


class Ping(BaseModel):
    type: Literal["ping"]
    id: int
    t: float


class PongMessage(BaseModel):
    type: Literal["pong"] = "pong"
    id: int
    t: float
    server_time: float
