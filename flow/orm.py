"""Table `flow_points`: one value of one metric of one scope (area or zone) per time step.

`scope` is `area:<id>` or `zone:<camera>/<zone>`; `step_s` is 60, 900 or 3600 (1 min, 15 min,
1 h downsampled); `t` is the start of the step (UTC); `simulated` marks demo data.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UtcDateTime


class FlowPointRow(Base):
    __tablename__ = "flow_points"

    scope: Mapped[str] = mapped_column(String(160), primary_key=True)
    metric: Mapped[str] = mapped_column(String(64), primary_key=True)
    step_s: Mapped[int] = mapped_column(Integer, primary_key=True)
    t: Mapped[datetime] = mapped_column(UtcDateTime(), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)
