"""Secrets CityEye has to use again but must not keep readable — an ONVIF camera's password,
which every WS-Security digest needs in clear. They are sealed (Fernet: AES-128-CBC and an
HMAC-SHA256) with a key derived from the server's secret key (`CITYEYE_SECRET_KEY`, or the
dev key in the data dir), so a copy of the database alone does not give them away.

A stored value without the `sealed:v1:` prefix was written before sealing existed; it reads
as is and `seal_stored` seals it in place.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

PREFIX = "sealed:v1:"
_CONTEXT = b"cityeye sealed secrets v1\x00"


class SealError(ValueError):
    """A sealed value that this server's key cannot open."""


class Sealer:
    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("the sealing secret must not be empty")
        key = hashlib.sha256(_CONTEXT + secret.encode("utf-8")).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, text: str) -> str:
        return PREFIX + self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def unseal(self, stored: str) -> str:
        """The clear text of a stored value (a value from before sealing: itself)."""
        if not is_sealed(stored):
            return stored
        try:
            return self._fernet.decrypt(stored[len(PREFIX) :].encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError) as exc:
            raise SealError(
                "this secret was sealed with another server secret key (was CITYEYE_SECRET_KEY"
                " changed?): enter it again"
            ) from exc


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)
