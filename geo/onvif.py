"""ONVIF PTZ status: the SOAP `GetStatus` request (WS-Security digest) and its parsing.

Pure functions; the transport (an HTTP POST to the camera's PTZ service) belongs to whoever
polls the camera. ONVIF reports a normalised position (pan/tilt −1…1, zoom 0…1); `PtzRanges`
turns it into degrees relative to the calibrated home position and a zoom factor.
"""

from __future__ import annotations

import base64
import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime

from geo.ptz import PtzState

_WSSE = ("http://docs.oasis-open.org/wss/2004/01/"
         "oasis-200401-wss-wssecurity-secext-1.0.xsd")
_WSU = ("http://docs.oasis-open.org/wss/2004/01/"
        "oasis-200401-wss-wssecurity-utility-1.0.xsd")
_DIGEST = ("http://docs.oasis-open.org/wss/2004/01/"
           "oasis-200401-wss-username-token-profile-1.0#PasswordDigest")
_TT = "{http://www.onvif.org/ver10/schema}"
_SOAP = "{http://www.w3.org/2003/05/soap-envelope}"
CONTENT_TYPE = ('application/soap+xml; charset=utf-8; '
                'action="http://www.onvif.org/ver20/ptz/wsdl/GetStatus"')


class OnvifError(ValueError):
    """A PTZ status reply that cannot be read."""


@dataclass(frozen=True)
class PtzRanges:
    """What the normalised ONVIF range means for this camera (from its datasheet)."""

    pan_min: float = -180.0
    pan_max: float = 180.0
    tilt_min: float = -90.0
    tilt_max: float = 90.0
    zoom_max: float = 30.0


def password_digest(nonce: bytes, created: str, password: str) -> str:
    return base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode(),
                                         usedforsecurity=False).digest()).decode()


def get_status_request(profile: str, username: str, password: str, nonce: bytes,
                       created: datetime) -> str:
    """The SOAP envelope for `GetStatus` of a media profile, signed with a UsernameToken."""
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = password_digest(nonce, stamp, password)
    return (
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">'
        f'<s:Header><wsse:Security xmlns:wsse="{_WSSE}" xmlns:wsu="{_WSU}">'
        f"<wsse:UsernameToken><wsse:Username>{_esc(username)}</wsse:Username>"
        f'<wsse:Password Type="{_DIGEST}">{digest}</wsse:Password>'
        f"<wsse:Nonce>{base64.b64encode(nonce).decode()}</wsse:Nonce>"
        f"<wsu:Created>{stamp}</wsu:Created></wsse:UsernameToken></wsse:Security></s:Header>"
        '<s:Body><GetStatus xmlns="http://www.onvif.org/ver20/ptz/wsdl">'
        f"<ProfileToken>{_esc(profile)}</ProfileToken></GetStatus></s:Body></s:Envelope>"
    )


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def parse_status(xml: str) -> tuple[float, float, float]:
    """Normalised (pan, tilt, zoom) from a `GetStatusResponse`."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise OnvifError(f"PTZ status is not XML: {exc}") from exc
    pan_tilt = root.find(f".//{_TT}Position/{_TT}PanTilt")
    zoom = root.find(f".//{_TT}Position/{_TT}Zoom")
    if pan_tilt is None:
        raise OnvifError("PTZ status has no Position/PanTilt: the camera may not report it")
    try:
        return (float(pan_tilt.attrib["x"]), float(pan_tilt.attrib["y"]),
                float(zoom.attrib["x"]) if zoom is not None else 0.0)
    except (KeyError, ValueError) as exc:
        raise OnvifError(f"PTZ status position is malformed: {exc}") from exc


def fault_reason(xml: str) -> str | None:
    """The reason of a SOAP 1.2 Fault (with its most specific subcode), or None."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError:
        return None
    fault = root.find(f".//{_SOAP}Fault")
    if fault is None:
        return None
    codes = [el.text.strip() for el in fault.iter(f"{_SOAP}Value") if el.text]
    text = fault.find(f"{_SOAP}Reason/{_SOAP}Text")
    reason = text.text.strip() if text is not None and text.text else ""
    code = codes[-1].split(":")[-1] if codes else ""
    return " ".join(p for p in (f"[{code}]" if code else "", reason) if p) or "SOAP fault"


def is_not_authorized(xml: str) -> bool:
    """An ONVIF `ter:NotAuthorized` fault: the WS-Security token was refused."""
    reason = fault_reason(xml) or ""
    return "NotAuthorized" in reason or "FailedAuthentication" in reason


def to_state(pan: float, tilt: float, zoom: float, ranges: PtzRanges) -> PtzState:
    """ONVIF normalised position → the mechanical PTZ model's state. ONVIF tilt +1 is up;
    the model's tilt is downward, so it flips sign."""
    def lerp(x: float, lo: float, hi: float) -> float:
        return lo + (min(max(x, -1.0), 1.0) + 1.0) / 2.0 * (hi - lo)

    return PtzState(pan=lerp(pan, ranges.pan_min, ranges.pan_max),
                    tilt=-lerp(tilt, ranges.tilt_min, ranges.tilt_max),
                    zoom=1.0 + min(max(zoom, 0.0), 1.0) * (ranges.zoom_max - 1.0))
