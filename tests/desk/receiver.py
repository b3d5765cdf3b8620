"""A real HTTP receiver on 127.0.0.1 standing in for the dispatch platform: it checks each
delivery's signature and answers 503 to the first `fail_first` requests, then 200."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from desk.signing import DELIVERY, EVENT, SIGNATURE, TIMESTAMP, sign


@dataclass(frozen=True)
class Received:
    delivery: str
    event: str
    timestamp: str
    signature_ok: bool
    body: bytes
    answered: int


@dataclass
class Receiver:
    secret: bytes
    fail_first: int
    url: str = ""
    got: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            code = 503 if len(self.got) < self.fail_first else 200
            ts = headers.get(TIMESTAMP, "")
            ok = headers.get(SIGNATURE) == sign(self.secret, ts, body)
            self.got.append(Received(headers.get(DELIVERY, ""), headers.get(EVENT, ""), ts, ok,
                                     body, code))
            return code

    def received(self) -> list[Received]:
        with self.lock:
            return list(self.got)


@contextmanager
def run_receiver(secret: bytes, fail_first: int) -> Iterator[Receiver]:
    receiver = Receiver(secret, fail_first)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k: v for k, v in self.headers.items()}
            code = receiver.record(headers, body)
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/cityeye"
    thread = threading.Thread(target=server.serve_forever, name="webhook-receiver", daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        assert not thread.is_alive()
