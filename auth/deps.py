"""FastAPI dependencies: the database session, the caller, and role checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, WebSocket, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from auth.accounts import Principal, Role, principal_for
from auth.tokens import TokenCodec, TokenError
from db.database import Database

_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <access_token>`")


def get_database(request: Request) -> Database:
    database = request.app.state.database
    assert isinstance(database, Database)
    return database


def get_session(database: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    with database.session() as session:
        yield session


def get_tokens(request: Request) -> TokenCodec:
    tokens = request.app.state.tokens
    assert isinstance(tokens, TokenCodec)
    return tokens


DatabaseDep = Annotated[Database, Depends(get_database)]
# scope="function": the unit of work commits before the response is sent, so a client that
# reads right after a write (or another client told of it) always sees it.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
TokensDep = Annotated[TokenCodec, Depends(get_tokens)]

_UNAUTHORISED = {"WWW-Authenticate": "Bearer"}


def _principal(database: Database, tokens: TokenCodec, token: str) -> Principal:
    try:
        username = tokens.username(token)
    except TokenError as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(exc), _UNAUTHORISED) from exc
    with database.session() as session:
        principal = principal_for(session, username)
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "the account no longer exists or is disabled",
            _UNAUTHORISED,
        )
    return principal


def current_user(
    database: DatabaseDep,
    tokens: TokensDep,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if creds is None or creds.scheme.lower() != "bearer":
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "not logged in: send `Authorization: Bearer <token>` from POST /api/auth/login",
            _UNAUTHORISED,
        )
    return _principal(database, tokens, creds.credentials)


CurrentUser = Annotated[Principal, Depends(current_user)]


def require_roles(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency that lets only the given roles through (403 otherwise)."""
    allowed = ", ".join(r.value for r in roles)

    def check(user: CurrentUser) -> Principal:
        if user.role not in roles:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"your role {user.role.value!r} may not do this; allowed: {allowed}",
            )
        return user

    return check


AdminUser = Annotated[Principal, Depends(require_roles(Role.ADMIN))]


def ws_authenticate(websocket: WebSocket) -> Principal:
    """Authenticate a WebSocket from `?token=` or its Authorization header.

    Raises HTTPException(401) before the handshake is accepted; Starlette then refuses it.
    """
    token = websocket.query_params.get("token")
    header = websocket.headers.get("authorization", "")
    if not token and header.lower().startswith("bearer "):
        token = header[7:]
    if not token:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "not logged in: pass ?token=<token>")
    database = websocket.app.state.database
    tokens = websocket.app.state.tokens
    assert isinstance(database, Database)
    assert isinstance(tokens, TokenCodec)
    return _principal(database, tokens, token)


WsUser = Annotated[Principal, Depends(ws_authenticate)]
