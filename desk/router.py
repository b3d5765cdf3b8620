"""Every desk endpoint in one router for the server to include: /api/alerts…, WS /api/ws/desk,
/api/desk/… (inbound webhook, webhook logs, maintenance windows, policy)."""

from __future__ import annotations

from fastapi import APIRouter

from desk.admin_router import router as admin_router
from desk.alerts_router import router as alerts_router

router = APIRouter()
router.include_router(alerts_router)
router.include_router(admin_router)
