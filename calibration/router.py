"""`/api/cameras/{id}/density-calibration`: fit a camera's density correction from frames with
clicked heads (POST, admins), read it (GET), drop it (DELETE, admins)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, cast

import cv2
import numpy as np
from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from auth.deps import AdminUser, CurrentUser, SessionDep
from calibration.service import DensityCalibrationService, StoredCalibration
from cameras.access import visible_camera
from models.protocols import Image, ModelLoadError
from vision.calibration import CalibrationReport

router = APIRouter(prefix="/api/cameras", tags=["density-calibration"])
MAX_IMAGE_BYTES = 8 * 1024 * 1024

Point = tuple[Annotated[float, Field(ge=0.0, le=1.0)], Annotated[float, Field(ge=0.0, le=1.0)]]


class CalibrationFrameIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    image: str = Field(description="JPEG or PNG, base64 (a data: URL is accepted)")
    points: list[Point] = Field(
        default_factory=list, max_length=5000,
        description="clicked heads, normalised (x, y) in [0, 1] of the image",
    )


class CalibrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    frames: list[CalibrationFrameIn] = Field(min_length=1, max_length=20)
    rows: int = Field(default=2, ge=1, le=4)
    cols: int = Field(default=2, ge=1, le=4)


class CalibrationOut(BaseModel):
    camera_id: str
    calibrated: bool
    rows: int | None = None
    cols: int | None = None
    scales: list[list[float]] | None = None
    report: CalibrationReport | None = None
    model: str | None = None
    created_by: str | None = None
    created_at: datetime | None = None


def get_service(request: Request) -> DensityCalibrationService:
    return cast(DensityCalibrationService, request.app.state.density_calibration)


ServiceDep = Annotated[DensityCalibrationService, Depends(get_service)]


def _out(camera_id: str, s: StoredCalibration | None) -> CalibrationOut:
    if s is None:
        return CalibrationOut(camera_id=camera_id, calibrated=False)
    return CalibrationOut(
        camera_id=camera_id, calibrated=True, rows=s.calibration.rows, cols=s.calibration.cols,
        scales=[list(r) for r in s.calibration.scales], report=s.report, model=s.model,
        created_by=s.created_by, created_at=s.created_at,
    )


def decode_frame(index: int, data: str) -> Image:
    """A base64 JPEG/PNG (or data: URL) -> BGR image; ValueError says which frame is bad."""
    if data.startswith("data:"):
        data = data.partition(",")[2]
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"frame {index + 1}: image is not valid base64") from exc
    if len(raw) > MAX_IMAGE_BYTES:
        raise ValueError(f"frame {index + 1}: image is over {MAX_IMAGE_BYTES // 2**20} MB")
    img = cv2.imdecode(np.frombuffer(raw, dtype=np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError(f"frame {index + 1}: not a JPEG or PNG image / 不是有效的图片")
    return np.asarray(img, dtype=np.uint8)


@router.get("/{camera_id}/density-calibration", response_model=CalibrationOut)
def get_calibration(
    camera_id: str, request: Request, session: SessionDep, user: CurrentUser, svc: ServiceDep
) -> CalibrationOut:
    visible_camera(session, user, camera_id)
    return _out(camera_id, svc.get(camera_id))


@router.post("/{camera_id}/density-calibration", response_model=CalibrationOut)
async def post_calibration(
    camera_id: str, body: CalibrationIn, request: Request, session: SessionDep,
    user: AdminUser, svc: ServiceDep,
) -> CalibrationOut:
    visible_camera(session, user, camera_id)
    if not any(f.points for f in body.frames):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "no head points given: click the heads in at least one frame / 请先在画面中点选人头",
        )
    try:
        images = [decode_frame(i, f.image) for i, f in enumerate(body.frames)]
        stored = await run_in_threadpool(
            svc.fit, camera_id, images, [f.points for f in body.frames],
            body.rows, body.cols, user.username,
        )
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    except ModelLoadError as exc:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, f"the density model is unavailable: {exc}"
        ) from exc
    return _out(camera_id, stored)


@router.delete("/{camera_id}/density-calibration", status_code=status.HTTP_204_NO_CONTENT)
def delete_calibration(
    camera_id: str, request: Request, session: SessionDep, user: AdminUser, svc: ServiceDep
) -> None:
    visible_camera(session, user, camera_id)
    svc.reset(camera_id)
