"""Bearer tokens: HS256 JWTs carrying the username, signed with the server's secret."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt

from config import Settings

ALGORITHM = "HS256"


class TokenError(Exception):
    """The token is missing, malformed, forged or expired."""


@dataclass(frozen=True)
class TokenCodec:
    secret: str
    ttl: timedelta

    def issue(self, username: str, now: datetime | None = None) -> str:
        now = now or datetime.now(UTC)
        claims = {"sub": username, "iat": now, "exp": now + self.ttl}
        return jwt.encode(claims, self.secret, algorithm=ALGORITHM)

    def username(self, token: str) -> str:
        try:
            claims = jwt.decode(token, self.secret, algorithms=[ALGORITHM], options={
                "require": ["sub", "exp"]
            })
        except jwt.ExpiredSignatureError as exc:
            raise TokenError("token expired: log in again") from exc
        except jwt.InvalidTokenError as exc:
            raise TokenError("invalid token: log in again") from exc
        sub = claims.get("sub")
        if not isinstance(sub, str):
            raise TokenError("invalid token: log in again")
        return sub


def load_secret(settings: Settings) -> str:
    """The configured secret, or in dev a random one kept in the data dir across restarts."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    path: Path = settings.data_dir / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    secret = secrets.token_urlsafe(48)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(secret, encoding="utf-8")
    path.chmod(0o600)
    return secret


def codec_for(settings: Settings) -> TokenCodec:
    return TokenCodec(load_secret(settings), timedelta(minutes=settings.token_ttl_minutes))
