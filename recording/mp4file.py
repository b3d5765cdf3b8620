"""Reading back recorded fragmented MP4 files: repair after a crash, and what they hold."""

from __future__ import annotations

import logging
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import av

log = logging.getLogger(__name__)
START_TAG = "comment"  # the segment's wall-clock start, written in the file's metadata
START_PREFIX = "cityeye:start="


def complete_length(path: Path) -> int:
    """Bytes of the file up to the end of its last complete top-level box, where a fragment
    (`moof` + `mdat`) is only complete with its `mdat`."""
    size = path.stat().st_size
    good = 0
    pending_moof = False
    with path.open("rb") as f:
        offset = 0
        while offset + 8 <= size:
            f.seek(offset)
            head = f.read(16)
            box_len, kind = struct.unpack(">I4s", head[:8])
            if box_len == 1 and len(head) == 16:
                box_len = struct.unpack(">Q", head[8:16])[0]
            elif box_len == 0:
                box_len = size - offset
            if box_len < 8 or offset + box_len > size:
                break
            offset += box_len
            if kind == b"moof":
                pending_moof = True
                continue
            if kind == b"mdat":
                pending_moof = False
            if not pending_moof:
                good = offset
    return good


def repair(path: Path) -> int:
    """Cut a partly written last fragment off (a crash mid-write); return the new size."""
    good = complete_length(path)
    if good < path.stat().st_size:
        log.warning("%s: cutting %d bytes of an unfinished fragment", path,
                    path.stat().st_size - good)
        with path.open("r+b") as f:
            f.truncate(good)
            f.flush()
            os.fsync(f.fileno())
    return good


@dataclass(frozen=True)
class FileFacts:
    start: float | None  # wall clock from the metadata (None: not written by us)
    duration_s: float  # first packet's pts to the last packet's end
    packets: int
    width: int
    height: int
    codec: str


def inspect(path: Path) -> FileFacts | None:
    """Demux (no decoding) to learn what the file holds; None when it is not readable video."""
    try:
        with av.open(str(path)) as c:
            if not c.streams.video:
                return None
            stream = c.streams.video[0]
            tag = c.metadata.get(START_TAG, "")
            start = float(tag[len(START_PREFIX):]) if tag.startswith(START_PREFIX) else None
            first: float | None = None
            last_end = 0.0
            count = 0
            for p in c.demux(stream):
                if p.pts is None or p.time_base is None:
                    continue
                t = float(p.pts * p.time_base)
                dur = float((p.duration or 0) * p.time_base)
                first = t if first is None else min(first, t)
                last_end = max(last_end, t + dur)
                count += 1
            ctx = stream.codec_context
            return FileFacts(
                start=start, duration_s=0.0 if first is None else last_end - first,
                packets=count, width=ctx.width, height=ctx.height, codec=ctx.name or "h264",
            )
    except (av.error.FFmpegError, ValueError, OSError) as exc:
        log.warning("%s: not a readable recording (%s)", path, exc)
        return None
