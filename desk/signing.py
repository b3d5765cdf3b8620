"""HMAC-SHA256 signatures of webhook bodies, both ways.

    X-CityEye-Timestamp: <unix seconds>
    X-CityEye-Delivery:  <unique id of this delivery; a receiver refuses one it has seen>
    X-CityEye-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + body)>
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import datetime

SIGNATURE = "X-CityEye-Signature"
TIMESTAMP = "X-CityEye-Timestamp"
DELIVERY = "X-CityEye-Delivery"
EVENT = "X-CityEye-Event"
_DELIVERY_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


class WebhookRejected(Exception):
    """An inbound webhook that must be refused; `status` is the HTTP code (401/409)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signed_headers(secret: bytes, body: bytes, delivery_id: str, at: datetime) -> dict[str, str]:
    ts = str(int(at.timestamp()))
    return {SIGNATURE: sign(secret, ts, body), TIMESTAMP: ts, DELIVERY: delivery_id}


def verify(
    secret: bytes, headers: Mapping[str, str], body: bytes, now: datetime, tolerance_s: float
) -> str:
    """Check signature and freshness; return the delivery id (the caller checks replays)."""
    sig, ts, delivery = (headers.get(h) for h in (SIGNATURE, TIMESTAMP, DELIVERY))
    if not sig or not ts or not delivery:
        raise WebhookRejected(
            401, f"unsigned request: {SIGNATURE}, {TIMESTAMP} and {DELIVERY} are required"
        )
    if not _DELIVERY_ID.match(delivery):
        raise WebhookRejected(401, f"{DELIVERY} must be 8–64 characters of A-Z a-z 0-9 . _ : -")
    try:
        sent = int(ts)
    except ValueError:
        raise WebhookRejected(401, f"{TIMESTAMP} must be unix seconds") from None
    if abs(now.timestamp() - sent) > tolerance_s:
        raise WebhookRejected(
            401, f"{TIMESTAMP} is more than {tolerance_s:.0f} s away from our clock: resend"
            " with the current time (and check the sender's clock)"
        )
    if not hmac.compare_digest(sig, sign(secret, ts, body)):
        raise WebhookRejected(401, f"{SIGNATURE} does not match the body: check the secret")
    return delivery
