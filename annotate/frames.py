"""The camera frames boards are drawn over (the newest full-resolution view)."""

from __future__ import annotations

from collections.abc import Callable

from PIL import Image

from streams import IngestManager


def ingest_frames(ingest: IngestManager) -> Callable[[str], Image.Image | None]:
    def frame(camera_id: str) -> Image.Image | None:
        latest = ingest.latest_view(camera_id) or ingest.latest_analysis(camera_id)
        if latest is None:
            return None
        return Image.fromarray(latest.image[:, :, ::-1])  # BGR -> RGB

    return frame
