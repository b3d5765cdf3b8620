"""A fake ONVIF PTZ service on 127.0.0.1: answers `GetStatus` like a camera does, after
checking the WS-Security UsernameToken digest, at a position the test moves."""

from __future__ import annotations

import base64
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

from geo.onvif import password_digest

WSSE = "{http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd}"
WSU = "{http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd}"
PTZ = "{http://www.onvif.org/ver20/ptz/wsdl}"
Mode = Literal["onvif", "http401", "garbage"]

STATUS = """<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"
 xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema">
<s:Body><tptz:GetStatusResponse><tptz:PTZStatus>
<tt:Position><tt:PanTilt x="{pan}" y="{tilt}"
 space="http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace"/>
<tt:Zoom x="{zoom}" space="http://www.onvif.org/ver10/tptz/ZoomSpaces/PositionGenericSpace"/>
</tt:Position><tt:MoveStatus><tt:PanTilt>IDLE</tt:PanTilt><tt:Zoom>IDLE</tt:Zoom></tt:MoveStatus>
<tt:UtcTime>2026-11-21T09:00:00Z</tt:UtcTime></tptz:PTZStatus></tptz:GetStatusResponse>
</s:Body></s:Envelope>"""

FAULT = """<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"
 xmlns:ter="http://www.onvif.org/ver10/error"><s:Body><s:Fault>
<s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:{code}</s:Value></s:Subcode></s:Code>
<s:Reason><s:Text xml:lang="en">{reason}</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>"""


@dataclass
class FakeCamera:
    username: str
    password: str
    profile: str
    mode: Mode = "onvif"
    position: tuple[float, float, float] = (0.0, 0.0, 0.0)  # ONVIF normalised pan, tilt, zoom
    url: str = ""
    requests: int = 0
    accepted: int = 0
    nonces: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, body: bytes) -> tuple[int, str]:
        with self.lock:
            self.requests += 1
            if self.mode == "http401":
                return 401, "<html><body>401 Unauthorized</body></html>"
            if self.mode == "garbage":
                return 200, "<html><body>camera web page</body></html>"
            try:
                root = ET.fromstring(body)
            except ET.ParseError:
                return 400, FAULT.format(code="WellFormed", reason="not XML")
            token = root.find(f".//{WSSE}UsernameToken")
            if token is None or not self._valid(token):
                return 400, FAULT.format(code="NotAuthorized",
                                         reason="Sender not Authorized")
            profile = root.findtext(f".//{PTZ}GetStatus/{PTZ}ProfileToken")
            if profile != self.profile:
                return 400, FAULT.format(code="NoProfile", reason="The profile does not exist")
            self.accepted += 1
            pan, tilt, zoom = self.position
            return 200, STATUS.format(pan=pan, tilt=tilt, zoom=zoom)

    def _valid(self, token: ET.Element) -> bool:
        user = token.findtext(f"{WSSE}Username")
        digest = token.findtext(f"{WSSE}Password")
        nonce = token.findtext(f"{WSSE}Nonce") or ""
        created = token.findtext(f"{WSU}Created") or ""
        if user != self.username or nonce in self.nonces:  # a replayed nonce is refused
            return False
        self.nonces.add(nonce)
        return digest == password_digest(base64.b64decode(nonce), created, self.password)


@contextmanager
def fake_camera(username: str = "onvif", password: str = "ptz-secret",
                profile: str = "Profile_1") -> Iterator[FakeCamera]:
    camera = FakeCamera(username, password, profile)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            code, text = camera.answer(body)
            data = text.encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/soap+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    camera.url = f"http://127.0.0.1:{httpd.server_address[1]}/onvif/ptz_service"
    thread = threading.Thread(target=httpd.serve_forever, name="fake-onvif", daemon=True)
    thread.start()
    try:
        yield camera
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
