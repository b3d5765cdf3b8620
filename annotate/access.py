"""Who may view or edit a board: view = the board's camera is in the caller's units;
edit = view and a role at least the board's `edit_role` (patroller < duty officer <
commander < admin). Enforced on the socket (updates from viewers are dropped) and the API."""

from __future__ import annotations

from sqlalchemy.orm import Session

from annotate.orm import BoardRow
from auth.accounts import Principal, Role
from cameras.orm import CameraRow

RANK = {Role.PATROLLER: 0, Role.DUTY_OFFICER: 1, Role.COMMANDER: 2, Role.ADMIN: 3}


class BoardNotFound(Exception):
    """No such board (or not visible: we do not tell which)."""


class BoardForbidden(Exception):
    """Visible but not allowed (e.g. editing as a read-only viewer)."""


def role_at_least(user: Principal, role: str) -> bool:
    return RANK[user.role] >= RANK[Role(role)]


def board_unit(session: Session, board: BoardRow) -> str:
    camera = session.get(CameraRow, board.camera_id)
    return camera.unit_id if camera is not None else board.unit_id


def visible_board(session: Session, user: Principal, board_id: str) -> BoardRow:
    board = session.get(BoardRow, board_id)
    if board is None or not user.can_see_unit(board_unit(session, board)):
        raise BoardNotFound(f"board {board_id!r} does not exist or is not in your units")
    return board


def can_edit(user: Principal, board: BoardRow) -> bool:
    return role_at_least(user, board.edit_role)
