"""ONVIF PTZ status: the signed request and reading a camera's reply into the PTZ model."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from geo.onvif import (
    OnvifError,
    PtzRanges,
    get_status_request,
    parse_status,
    password_digest,
    to_state,
)

REPLY = """<?xml version="1.0"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"
 xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema">
<s:Body><tptz:GetStatusResponse><tptz:PTZStatus><tt:Position>
<tt:PanTilt x="0.5" y="-0.25"/><tt:Zoom x="0.1"/>
</tt:Position></tptz:PTZStatus></tptz:GetStatusResponse></s:Body></s:Envelope>"""


def test_request_carries_a_ws_security_digest() -> None:
    created = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    body = get_status_request("Profile_1", "admin", "pw", b"0123456789abcdef", created)
    assert "<ProfileToken>Profile_1</ProfileToken>" in body
    assert password_digest(b"0123456789abcdef", "2026-11-21T09:00:00Z", "pw") in body


def test_reply_becomes_the_ptz_model_state() -> None:
    pan, tilt, zoom = parse_status(REPLY)
    assert (pan, tilt, zoom) == (0.5, -0.25, 0.1)
    state = to_state(pan, tilt, zoom, PtzRanges(zoom_max=11.0))
    assert state.pan == pytest.approx(90.0)
    assert state.tilt == pytest.approx(22.5)  # ONVIF tilt down → model tilt positive
    assert state.zoom == pytest.approx(2.0)


@pytest.mark.parametrize("xml", ["not xml", "<a/>", REPLY.replace('x="0.5"', 'x="left"')])
def test_unreadable_replies_are_refused(xml: str) -> None:
    with pytest.raises(OnvifError):
        parse_status(xml)
