"""The relay alone, fed by marker-bit RTP (no FFmpeg demuxer): a WHEP endpoint for one camera.

    python bench/latency_relay.py --source rtsp://127.0.0.1:8554/cam --port 8010
    python bench/latency_relay.py --source /tmp/cam.sdp --port 8010

Same LiveService as the server (passthrough feed, aiortc senders); only the input differs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import uvicorn
from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import HTMLResponse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from latency_browser import PAGE

from streams.webrtc import BadOffer, CameraUnavailable, LiveService, LiveSettings
from streams.webrtc.rtpsource import RtpPacketSource

CAMERA = "cam"


def build(source_url: str) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        source = RtpPacketSource(CAMERA, source_url)
        source.start()
        app.state.live = LiveService(source, LiveSettings(ice_hosts=("127.0.0.1",)))
        try:
            yield
        finally:
            await app.state.live.aclose()
            source.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/", response_class=HTMLResponse)
    def page() -> str:
        return PAGE

    @app.get("/health")
    def health(request: Request) -> dict[str, str]:
        live: LiveService = request.app.state.live
        return {"status": live.status(CAMERA).camera_status}

    @app.post("/whep")
    async def whep(request: Request) -> Response:
        live: LiveService = request.app.state.live
        try:
            info, answer = await live.open_session(CAMERA, (await request.body()).decode(),
                                                   "bench")
        except BadOffer as exc:
            raise HTTPException(400, str(exc)) from exc
        except CameraUnavailable as exc:
            raise HTTPException(503, str(exc)) from exc
        return Response(answer, 201, {"Location": f"/whep/{info.session_id}"},
                        media_type="application/sdp")

    @app.delete("/whep/{session_id}")
    async def hangup(session_id: str, request: Request) -> Response:
        live: LiveService = request.app.state.live
        await live.close_session(session_id)
        return Response(status_code=200)

    return app


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--source", required=True)
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args(argv)
    uvicorn.run(build(args.source), host="127.0.0.1", port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
