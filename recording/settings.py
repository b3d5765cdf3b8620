"""Recording settings (from `config.Settings`) and the effective per-camera policy."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from config import Settings


class RecordingSettings(BaseModel):
    """Defaults for every camera's policy and the service's own timings."""

    model_config = ConfigDict(frozen=True)

    root: Path  # <data_dir>/recordings
    enabled: bool = True  # default policy: record every camera
    retain_days: float | None = Field(default=7.0, gt=0)
    retain_gb: float | None = Field(default=None, gt=0)
    segment_s: int = Field(default=60, ge=2, le=3600)
    clip_pre_s: float = Field(default=10.0, ge=0, le=300)
    clip_post_s: float = Field(default=10.0, ge=0, le=300)
    clip_retain_days: float | None = Field(default=90.0, gt=0)  # None: clips kept forever
    reconcile_s: float = Field(default=1.0, gt=0)  # supervisor period
    retention_s: float = Field(default=30.0, gt=0)  # retention sweep period
    idle_close_s: float = Field(default=10.0, gt=0)  # no packet this long: close the segment
    gap_s: float = Field(default=5.0, gt=0)  # a jump in capture time this big: new segment
    progress_s: float = Field(default=3.0, gt=0)  # how often the open segment's row is updated
    clip_wait_s: float = Field(default=30.0, ge=0)  # extra wait for a clip's end to be written
    stop_timeout_s: float = Field(default=5.0, gt=0)
    min_free_gb: float = Field(default=1.0, ge=0)  # below this, the oldest go whatever the policy

    @classmethod
    def from_settings(cls, settings: Settings) -> RecordingSettings:
        return cls(
            root=settings.data_dir / "recordings",
            enabled=settings.recording_enabled,
            retain_days=settings.recording_retain_days,
            retain_gb=settings.recording_retain_gb,
            segment_s=settings.recording_segment_s,
            clip_pre_s=settings.recording_clip_pre_s,
            clip_post_s=settings.recording_clip_post_s,
            clip_retain_days=settings.recording_clip_retain_days,
        )


class Policy(BaseModel):
    """The policy in force for one camera (its row, or the defaults)."""

    model_config = ConfigDict(frozen=True)

    camera_id: str
    enabled: bool
    retain_days: float | None
    retain_gb: float | None
    segment_s: int
    clip_pre_s: float
    clip_post_s: float
    custom: bool = False  # False: the Settings defaults
    updated_by: str | None = None
    updated_at: float | None = None

    @classmethod
    def default(cls, camera_id: str, s: RecordingSettings) -> Policy:
        return cls(
            camera_id=camera_id, enabled=s.enabled, retain_days=s.retain_days,
            retain_gb=s.retain_gb, segment_s=s.segment_s, clip_pre_s=s.clip_pre_s,
            clip_post_s=s.clip_post_s,
        )
