"""Sealed secrets (auth/sealed.py): a round trip, no clear text in the stored value, a fresh
nonce each time, a clear error under another server key, and values from before sealing."""

from __future__ import annotations

import pytest

from auth.sealed import PREFIX, Sealer, SealError, is_sealed


def test_a_sealed_secret_opens_only_with_the_same_server_key() -> None:
    sealer = Sealer("server-secret-one")
    stored = sealer.seal("摄像机密码 pass-123")
    assert is_sealed(stored)
    assert stored.startswith(PREFIX)
    assert "pass-123" not in stored
    assert sealer.seal("摄像机密码 pass-123") != stored  # a fresh IV each time
    assert sealer.unseal(stored) == "摄像机密码 pass-123"
    assert Sealer("server-secret-one").unseal(stored) == "摄像机密码 pass-123"  # after a restart
    with pytest.raises(SealError, match="CITYEYE_SECRET_KEY"):
        Sealer("server-secret-two").unseal(stored)
    with pytest.raises(SealError):
        sealer.unseal(stored[:-4] + "AAAA")  # tampered


def test_a_value_stored_before_sealing_reads_as_is_and_an_empty_key_is_refused() -> None:
    assert Sealer("k").unseal("plain-old") == "plain-old"
    assert not is_sealed("plain-old")
    with pytest.raises(ValueError, match="empty"):
        Sealer("")
