"""`/api/tours` (CRUD, start a run, list runs) and `/api/tour-runs/{id}` (read, check a
camera, finish). Needs `app.state.database` and `app.state.markers` (MarkerService)."""

from __future__ import annotations

from typing import Annotated, NoReturn

from fastapi import APIRouter, Depends, HTTPException, Request, status

from auth.deps import CurrentUser
from cameras.access import Forbidden, NotFound
from markers.router import get_service
from markers.service import MarkerService
from patrol.schemas import ItemMark, Tour, TourIn, TourPatch, TourRun
from patrol.service import Conflict, PatrolService

router = APIRouter(tags=["patrol"])


def get_patrol(
    request: Request, markers: Annotated[MarkerService, Depends(get_service)]
) -> PatrolService:
    return PatrolService(request.app.state.database, markers)


PatrolDep = Annotated[PatrolService, Depends(get_patrol)]
_ERRORS = (NotFound, Forbidden, Conflict, ValueError)


def _raise(exc: Exception) -> NoReturn:
    code = status.HTTP_422_UNPROCESSABLE_CONTENT
    if isinstance(exc, NotFound):
        code = status.HTTP_404_NOT_FOUND
    elif isinstance(exc, Forbidden):
        code = status.HTTP_403_FORBIDDEN
    elif isinstance(exc, Conflict):
        code = status.HTTP_409_CONFLICT
    raise HTTPException(code, str(exc)) from exc


@router.get("/api/tours", response_model=list[Tour])
def list_tours(user: CurrentUser, patrol: PatrolDep) -> list[Tour]:
    """Tours whose cameras are all in the caller's units."""
    return patrol.list_tours(user)


@router.post("/api/tours", response_model=Tour, status_code=status.HTTP_201_CREATED)
def create_tour(body: TourIn, user: CurrentUser, patrol: PatrolDep) -> Tour:
    """422 names cameras that do not exist (or are outside the caller's units)."""
    try:
        return patrol.create_tour(user, body)
    except _ERRORS as exc:
        _raise(exc)


@router.get("/api/tours/{tour_id}", response_model=Tour)
def get_tour(tour_id: int, user: CurrentUser, patrol: PatrolDep) -> Tour:
    try:
        return patrol.get_tour(user, tour_id)
    except _ERRORS as exc:
        _raise(exc)


@router.patch("/api/tours/{tour_id}", response_model=Tour)
def patch_tour(tour_id: int, body: TourPatch, user: CurrentUser, patrol: PatrolDep) -> Tour:
    """The creator or an admin changes name, cameras or dwell time."""
    try:
        return patrol.update_tour(user, tour_id, body)
    except _ERRORS as exc:
        _raise(exc)


@router.delete("/api/tours/{tour_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_tour(tour_id: int, user: CurrentUser, patrol: PatrolDep) -> None:
    """The creator or an admin removes a tour; its run reports stay readable."""
    try:
        patrol.delete_tour(user, tour_id)
    except _ERRORS as exc:
        _raise(exc)


@router.post("/api/tours/{tour_id}/runs", response_model=TourRun,
             status_code=status.HTTP_201_CREATED)
def start_run(tour_id: int, user: CurrentUser, patrol: PatrolDep) -> TourRun:
    """Start patrolling: one item per camera with a summary of the markers added since the
    previous finished run (or in the last 24 h)."""
    try:
        return patrol.start_run(user, tour_id)
    except _ERRORS as exc:
        _raise(exc)


@router.get("/api/tours/{tour_id}/runs", response_model=list[TourRun])
def list_runs(tour_id: int, user: CurrentUser, patrol: PatrolDep) -> list[TourRun]:
    try:
        return patrol.list_runs(user, tour_id)
    except _ERRORS as exc:
        _raise(exc)


@router.get("/api/tour-runs/{run_id}", response_model=TourRun)
def get_run(run_id: int, user: CurrentUser, patrol: PatrolDep) -> TourRun:
    try:
        return patrol.get_run(user, run_id)
    except _ERRORS as exc:
        _raise(exc)


@router.post("/api/tour-runs/{run_id}/items/{camera_id}", response_model=TourRun)
def mark_item(
    run_id: int, camera_id: str, body: ItemMark, user: CurrentUser, patrol: PatrolDep
) -> TourRun:
    """Mark a camera `normal` or `issue` (an issue makes a marker of kind "issue", tier 2,
    with the note as its text). Only the patroller who started the run (or an admin)."""
    try:
        return patrol.mark_item(user, run_id, camera_id, body)
    except _ERRORS as exc:
        _raise(exc)


@router.post("/api/tour-runs/{run_id}/finish", response_model=TourRun)
def finish_run(run_id: int, user: CurrentUser, patrol: PatrolDep) -> TourRun:
    """Finish the run; the answer is the saved report (summaries frozen)."""
    try:
        return patrol.finish(user, run_id)
    except _ERRORS as exc:
        _raise(exc)
