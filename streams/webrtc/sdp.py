"""Checks on a WHEP offer before any WebRTC state is created (malformed SDP -> 400)."""

from __future__ import annotations

from aiortc import sdp as aiortc_sdp

MAX_OFFER_BYTES = 64 * 1024


class BadOffer(Exception):
    """The SDP offer cannot be answered; ``str(exc)`` says why, in one line."""


def check_offer(text: str) -> None:
    if not text.strip():
        raise BadOffer("empty SDP offer: send the browser's offer as application/sdp")
    if len(text) > MAX_OFFER_BYTES:
        raise BadOffer(f"SDP offer larger than {MAX_OFFER_BYTES} bytes")
    if not text.lstrip().startswith("v=0"):
        raise BadOffer("not an SDP offer: it must start with 'v=0'")
    try:
        parsed = aiortc_sdp.SessionDescription.parse(text)
    except (ValueError, IndexError, KeyError, TypeError, AttributeError) as exc:
        raise BadOffer(f"malformed SDP offer: {exc or type(exc).__name__}") from exc
    video = [m for m in parsed.media if m.kind == "video"]
    if not video:
        raise BadOffer("the offer has no video section (m=video)")
    if not any(c.mimeType.lower() == "video/h264" for m in video for c in m.rtp.codecs):
        raise BadOffer("the offer has no H.264 video codec; this server sends H.264 only")
    for m in parsed.media:
        if m.port == 0:
            continue
        ice = m.ice
        if ice is None or not ice.usernameFragment or not ice.password:
            raise BadOffer("the offer has no ICE credentials (a=ice-ufrag / a=ice-pwd)")
        if m.dtls is None or not m.dtls.fingerprints:
            raise BadOffer("the offer has no DTLS fingerprint (a=fingerprint)")


def answer_has_h264(answer: str) -> bool:
    parsed = aiortc_sdp.SessionDescription.parse(answer)
    return any(
        m.port != 0 and any(c.mimeType.lower() == "video/h264" for c in m.rtp.codecs)
        for m in parsed.media
        if m.kind == "video"
    )
