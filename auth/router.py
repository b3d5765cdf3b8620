"""`/api/auth` (login, who am I), `/api/units` and `/api/audit`."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from auth import audit
from auth.accounts import UnitOut, UserOut, authenticate, list_units, user_out
from auth.audit import AuditOut
from auth.deps import AdminUser, CurrentUser, SessionDep, TokensDep

router = APIRouter(prefix="/api", tags=["auth"])


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class LoginOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    user: UserOut


@router.post("/auth/login", response_model=LoginOut)
def login(body: LoginIn, session: SessionDep, tokens: TokensDep) -> LoginOut:
    principal = authenticate(session, body.username, body.password)
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "用户名或密码错误 / wrong username or password"
        )
    audit.record(session, principal.username, "login")
    return LoginOut(access_token=tokens.issue(principal.username), user=user_out(principal))


@router.get("/auth/me", response_model=UserOut)
def me(user: CurrentUser) -> UserOut:
    return user_out(user)


@router.get("/units", response_model=list[UnitOut])
def units(user: CurrentUser, session: SessionDep) -> list[UnitOut]:
    return list_units(session, user)


@router.get("/audit", response_model=list[AuditOut])
def audit_log(
    user: AdminUser, session: SessionDep, camera_id: str | None = None, limit: int = 200
) -> list[AuditOut]:
    return audit.recent(session, camera_id=camera_id, limit=max(1, min(limit, 1000)))
