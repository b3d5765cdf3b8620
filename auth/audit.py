"""The access audit: who viewed which camera, when, and why."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.orm import AuditRow
from db.base import utcnow

# A wall that refreshes a snapshot every few seconds is one viewing, not thousands.
VIEW_DEDUP_WINDOW = timedelta(minutes=10)


class AuditOut(BaseModel):
    id: int
    at: datetime
    username: str
    action: str
    camera_id: str | None
    detail: str


def record(
    session: Session, username: str, action: str, camera_id: str | None = None, detail: str = ""
) -> None:
    session.add(AuditRow(username=username, action=action, camera_id=camera_id,
                         detail=detail[:512]))


def record_view(session: Session, username: str, camera_id: str, detail: str = "") -> bool:
    """Record a camera view unless the same user viewed it within the dedup window."""
    since = utcnow() - VIEW_DEDUP_WINDOW
    recent = session.scalar(
        select(AuditRow.id).where(
            AuditRow.username == username,
            AuditRow.camera_id == camera_id,
            AuditRow.action == "view",
            AuditRow.at >= since,
        ).limit(1)
    )
    if recent is not None:
        return False
    record(session, username, "view", camera_id, detail)
    return True


def recent(
    session: Session, *, camera_id: str | None = None, limit: int = 200
) -> list[AuditOut]:
    q = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if camera_id is not None:
        q = q.where(AuditRow.camera_id == camera_id)
    return [
        AuditOut(id=r.id, at=r.at, username=r.username, action=r.action,
                 camera_id=r.camera_id, detail=r.detail)
        for r in session.scalars(q)
    ]
