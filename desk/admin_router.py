"""The desk's other endpoints: the inbound webhook of the dispatch platform, the webhook logs
(admins), maintenance windows, and the policy in force."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from pydantic import BaseModel, ValidationError

from auth.accounts import Principal
from auth.deps import AdminUser, CurrentUser, require_roles
from desk.deps import DeskDep
from desk.inbound import INBOUND
from desk.lifecycle import MAINTENANCE_ROLES, IllegalTransition
from desk.maintenance import CameraUnknown, MaintenanceIn, MaintenanceOut
from desk.model import AlertOut
from desk.outbox import DeliveryOut, InboundOut
from desk.policy import DeskPolicy
from desk.service import scope, status_of
from desk.signing import WebhookRejected, verify
from desk.store import AlertNotFound, BadRequest

router = APIRouter(tags=["desk"])
MaintainerUser = Annotated[Principal, Depends(require_roles(*sorted(MAINTENANCE_ROLES)))]


class DeliveryLog(BaseModel):
    outbound_configured: bool
    inbound_configured: bool
    url: str | None
    deliveries: list[DeliveryOut]


@router.post(
    "/api/desk/webhook",
    response_model=AlertOut,
    responses={401: {"description": "unsigned, bad signature or stale timestamp"},
               409: {"description": "replayed delivery id, or the action is not allowed now"}},
)
async def inbound_webhook(request: Request, desk: DeskDep) -> AlertOut:
    """The dispatch platform posts a status change, signed like our outbound webhooks
    (X-CityEye-Signature over "<timestamp>.<body>", X-CityEye-Timestamp within ±5 min,
    a fresh X-CityEye-Delivery id). No bearer token: the signature authenticates it."""
    secret = desk.webhooks.secret_bytes
    if secret is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "the inbound webhook is not configured: set CITYEYE_DESK_WEBHOOK_SECRET",
        )
    body = await request.body()
    try:
        delivery = verify(secret, request.headers, body, desk.clock.now(),
                          desk.webhooks.tolerance_s)
        change = INBOUND.validate_json(body)
    except WebhookRejected as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    except ValidationError as exc:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            exc.errors(include_url=False, include_context=False, include_input=False),
        ) from exc
    try:
        return await desk.platform_act(delivery, change)
    except WebhookRejected as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    except (AlertNotFound, IllegalTransition, BadRequest) as exc:
        raise HTTPException(status_of(exc), str(exc)) from exc


@router.get("/api/desk/webhook/deliveries", response_model=DeliveryLog)
async def delivery_log(
    user: AdminUser,
    desk: DeskDep,
    state: Annotated[Literal["pending", "delivered", "failed"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> DeliveryLog:
    """Outbound deliveries, newest first: status, attempts, last HTTP code or error."""
    rows = await asyncio.to_thread(desk.outbox.deliveries, limit, state)
    return DeliveryLog(
        outbound_configured=desk.webhooks.url is not None,
        inbound_configured=desk.webhooks.secret is not None,
        url=desk.webhooks.url, deliveries=rows,
    )


@router.get("/api/desk/webhook/inbound", response_model=list[InboundOut])
async def inbound_log(
    user: AdminUser, desk: DeskDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[InboundOut]:
    """Authenticated inbound deliveries (kept 7 days for the replay check), newest first."""
    return await asyncio.to_thread(desk.outbox.inbound, limit)


@router.get("/api/desk/maintenance", response_model=list[MaintenanceOut])
async def list_maintenance(user: CurrentUser, desk: DeskDep) -> list[MaintenanceOut]:
    """Current and coming maintenance windows of cameras in the caller's units."""
    return await asyncio.to_thread(desk.maintenance.windows, scope(user), desk.clock.now())


@router.post("/api/desk/maintenance", response_model=MaintenanceOut, status_code=201)
async def add_maintenance(
    body: MaintenanceIn, user: MaintainerUser, desk: DeskDep
) -> MaintenanceOut:
    """(commander, admin) No alerts from the camera between starts_at and ends_at."""
    try:
        return await desk.add_maintenance(body, user)
    except CameraUnknown as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc


@router.delete("/api/desk/maintenance/{window_id}", status_code=204, response_class=Response)
async def remove_maintenance(window_id: int, user: MaintainerUser, desk: DeskDep) -> Response:
    if not await desk.remove_maintenance(window_id, user):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no maintenance window {window_id}")
    return Response(status_code=204)


@router.get("/api/desk/policy", response_model=DeskPolicy)
async def get_policy(user: CurrentUser, desk: DeskDep) -> DeskPolicy:
    """The policy in force: which events alert whom, cooldown, escalation, overdue."""
    return desk.policy
