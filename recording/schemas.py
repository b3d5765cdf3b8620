"""JSON shapes of the recording API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from recording.store import Segment


class SegmentOut(BaseModel):
    id: int
    camera_id: str
    start: float  # wall-clock epoch seconds of the first frame
    end: float
    duration: float
    bytes: int
    width: int
    height: int
    codec: str
    open: bool  # still being written (its end and size grow)
    url: str  # the video; add ?token=<token> for <video src>

    @classmethod
    def of(cls, seg: Segment) -> SegmentOut:
        return cls(
            id=seg.id, camera_id=seg.camera_id, start=seg.start, end=seg.end,
            duration=seg.duration, bytes=seg.bytes, width=seg.width, height=seg.height,
            codec=seg.codec, open=not seg.closed,
            url=f"/api/recordings/{seg.camera_id}/segments/{seg.id}/video",
        )


class AtOut(BaseModel):
    segment: SegmentOut
    offset_s: float  # seek the segment's video to this many seconds


class BucketOut(BaseModel):
    start: float
    end: float
    events: int
    markers: int


class TimelineOut(BaseModel):
    since: float
    until: float
    coverage: list[tuple[float, float]]  # recorded stretches [start, end]
    buckets: list[BucketOut]


class UsageOut(BaseModel):
    segments: int
    bytes: int


class PolicyOut(BaseModel):
    camera_id: str
    enabled: bool
    retain_days: float | None
    retain_gb: float | None
    segment_s: int
    clip_pre_s: float
    clip_post_s: float
    custom: bool  # False: the server's defaults (CITYEYE_RECORDING_*)
    updated_by: str | None
    updated_at: float | None
    recording: bool  # a recorder is running for this camera now
    usage: UsageOut


class PolicyIn(BaseModel):
    """The whole policy; omitted optional fields keep their current values."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool
    retain_days: float | None = Field(gt=0, le=3650)
    retain_gb: float | None = Field(gt=0, le=1_000_000)
    segment_s: int | None = Field(default=None, ge=2, le=3600)
    clip_pre_s: float | None = Field(default=None, ge=0, le=300)
    clip_post_s: float | None = Field(default=None, ge=0, le=300)

    @model_validator(mode="after")
    def _some_limit(self) -> PolicyIn:
        if self.retain_days is None and self.retain_gb is None:
            raise ValueError(
                "set retain_days or retain_gb (or both): recordings need a limit so the disk"
                " does not fill up"
            )
        return self
