"""Which cameras an account may see, in one place for every router: a camera is visible when
its unit is one of the account's units (an administrator's units are all of them), an unknown
camera is a 404 and another unit's camera a 403, each with a message (Chinese, then English)
that says why. `NotFound`/`Forbidden` are also the markers and patrol packages' errors."""

from __future__ import annotations

from fastapi import HTTPException, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.accounts import Principal, Role
from cameras.orm import CameraRow


class NotFound(Exception):
    """No camera (or, for markers, no marker) with that id visible to the caller."""


class Forbidden(Exception):
    """The camera lies outside the caller's units (or the caller may not do this)."""


def camera_row(session: Session, user: Principal | None, camera_id: str) -> CameraRow:
    """The camera, if it exists and `user` may see it (None: no check); NotFound/Forbidden."""
    row = session.get(CameraRow, camera_id)
    if row is None:
        raise NotFound(f"摄像机 {camera_id!r} 不存在 / camera {camera_id!r} does not exist")
    if user is not None and not user.can_see_unit(row.unit_id):
        raise Forbidden(
            f"摄像机 {camera_id!r} 属于其他单位 / camera {camera_id!r} belongs to another unit;"
            f" your account ({user.unit_name}) cannot see it"
        )
    return row


def visible_camera(session: Session, user: Principal, camera_id: str) -> CameraRow:
    """`camera_row` for a router: 404 or 403 with the reason."""
    try:
        return camera_row(session, user, camera_id)
    except NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    except Forbidden as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc


def visible_camera_ids(session: Session, user: Principal) -> set[str] | None:
    """Ids of the cameras `user` may see; None: every camera, removed ones included (admins)."""
    if user.role == Role.ADMIN:
        return None
    rows = session.execute(select(CameraRow.id, CameraRow.unit_id)).all()
    return {cid for cid, unit in rows if user.can_see_unit(unit)}
