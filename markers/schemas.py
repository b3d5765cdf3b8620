"""The API's shapes for markers, and the plain-text rules for what people type.

Text is plain text: stored exactly as typed (after trimming the ends), never HTML-escaped or
interpreted here; the web UI renders it as text. Control characters are refused.
"""

from __future__ import annotations

import math
import unicodedata
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MarkerKind = Literal["note", "ai", "issue"]
UserMarkerKind = Literal["note", "issue"]
MarkerOp = Literal["created", "updated", "deleted"]
MAX_TEXT = 200
# Bidirectional embeddings/overrides/isolates: they can make a text read as something else.
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def text_problem(value: str) -> str | None:
    """Why `value` (already trimmed) is not acceptable marker text, or None."""
    bad = [c for c in value if unicodedata.category(c) in ("Cc", "Zl", "Zp") or c in _BIDI]
    if bad:
        codes = ", ".join(sorted({f"U+{ord(c):04X}" for c in bad}))
        return (f"文字不能包含控制字符 ({codes}) / the text must not contain control characters"
                f" ({codes}): type a single line of plain text")
    return None


def clean_text(value: str, *, allow_empty: bool = False) -> str:
    """Trim the ends and check the rules; ValueError says what to fix (Chinese and English)."""
    text = value.strip()
    if not text and not allow_empty:
        raise ValueError("文字不能为空 / the text is empty: type 1-200 characters")
    if len(text) > MAX_TEXT:
        raise ValueError(f"文字最多 {MAX_TEXT} 字 / the text is {len(text)} characters long;"
                         f" the limit is {MAX_TEXT}")
    problem = text_problem(text)
    if problem:
        raise ValueError(problem)
    return text


def sanitise(value: str) -> str:
    """Server-made text (AI markers): drop what `clean_text` refuses and fit the limit."""
    kept = "".join(" " if text_problem(c) else c for c in value).strip()
    return kept[:MAX_TEXT] or "?"


class Author(BaseModel):
    username: str
    display_name: str


class Marker(BaseModel):
    id: int
    camera_id: str
    ts: float = Field(description="wall-clock epoch seconds of the moment on the video")
    x: float | None
    y: float | None
    text: str
    kind: MarkerKind
    tier: int | None
    author: Author | None = Field(description="null for AI markers")
    rule: str | None = Field(description="the event kind that made an AI marker")
    event_id: str | None
    created_at: datetime
    updated_at: datetime
    hidden: bool


def _check_point(x: float | None, y: float | None) -> None:
    if (x is None) != (y is None):
        raise ValueError("give both x and y (a point), or neither / 需同时提供 x 和 y")


class MarkerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    camera_id: str = Field(min_length=1, max_length=64)
    ts: float | None = Field(default=None, gt=0, description="epoch seconds; default: now")
    x: float | None = Field(default=None, ge=0.0, le=1.0, description="normalised 0-1")
    y: float | None = Field(default=None, ge=0.0, le=1.0, description="normalised 0-1")
    text: str
    kind: UserMarkerKind = "note"
    tier: int | None = Field(default=None, ge=1, le=4)

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        return clean_text(v)

    @field_validator("ts")
    @classmethod
    def _finite(cls, v: float | None) -> float | None:
        if v is not None and not math.isfinite(v):
            raise ValueError("ts must be a finite epoch time in seconds")
        return v

    @model_validator(mode="after")
    def _point(self) -> MarkerIn:
        _check_point(self.x, self.y)
        return self


class MarkerPatch(BaseModel):
    """Authors change text/x/y/tier; admins change `hidden`. Omitted fields stay as they are;
    `x`/`y`/`tier` may be set to null."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = None
    x: float | None = Field(default=None, ge=0.0, le=1.0)
    y: float | None = Field(default=None, ge=0.0, le=1.0)
    tier: int | None = Field(default=None, ge=1, le=4)
    hidden: bool | None = None

    @field_validator("text")
    @classmethod
    def _text(cls, v: str | None) -> str | None:
        if v is None:
            raise ValueError("text cannot be null: omit it to keep the current text")
        return clean_text(v)

    @model_validator(mode="after")
    def _point(self) -> MarkerPatch:
        if ("x" in self.model_fields_set) != ("y" in self.model_fields_set):
            raise ValueError("change x and y together / 需同时修改 x 和 y")
        _check_point(self.x, self.y)
        if "hidden" in self.model_fields_set and self.hidden is None:
            raise ValueError("hidden must be true or false")
        return self

    @property
    def edits_content(self) -> bool:
        return bool(self.model_fields_set & {"text", "x", "y", "tier"})


class MarkerMessage(BaseModel):
    """What `WS /api/markers/ws` sends."""

    type: Literal["marker", "dropped"] = "marker"
    op: MarkerOp | None = None
    marker: Marker | None = None
    dropped: int | None = None
