"""The desk service as a FastAPI dependency (`app.state.desk`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from desk.service import DeskService


def get_desk(request: Request) -> DeskService:
    desk = getattr(request.app.state, "desk", None)
    if not isinstance(desk, DeskService):
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "the duty desk is not running")
    return desk


DeskDep = Annotated[DeskService, Depends(get_desk)]
