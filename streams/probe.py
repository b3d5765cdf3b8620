"""`cityeye probe SOURCE [--frames N]`: what a source really is, measured by decoding it."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

import av.error
from av.container import InputContainer
from av.video.stream import VideoStream

from streams.datatypes import ProbeReport, SourceError, Transport
from streams.sources import SourceLocation, classify, describe, open_input
from streams.timing import PtsClock


def probe_source(
    url: str, *, max_frames: int = 300, timeout_s: float = 10.0, transport: Transport = "tcp"
) -> ProbeReport:
    """Open ``url`` and decode up to ``max_frames`` frames; raise SourceError (one clear line)
    for unreachable, corrupt or unsupported sources."""
    if max_frames < 1:
        raise ValueError("max_frames must be at least 1")
    loc = classify(url)
    container = open_input(loc, transport=transport, timeout_s=timeout_s, read_timeout_s=timeout_s)
    try:
        return _probe(container, loc, url, max_frames, timeout_s)
    finally:
        container.close()


def _probe(
    container: InputContainer, loc: SourceLocation, url: str, max_frames: int, timeout_s: float
) -> ProbeReport:
    if not container.streams.video:
        raise SourceError("no video stream in source")
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    rate = stream.guessed_rate or stream.average_rate
    declared = float(rate) if rate else None
    clock = PtsClock(declared)
    frames, pix_fmt, size = 0, None, (stream.width, stream.height)
    started = time.perf_counter()
    try:
        for frame in container.decode(stream):
            clock.to_seconds(frame.pts, frame.time_base or stream.time_base)
            frames += 1
            pix_fmt, size = frame.format.name, (frame.width, frame.height)
            if frames >= max_frames:
                break
    except (av.error.FFmpegError, OSError) as exc:
        if frames == 0:
            raise describe(exc, loc, timeout_s) from exc
    elapsed = time.perf_counter() - started
    if frames == 0:
        raise SourceError("no decodable video frames in source")
    notes = _notes(stream, declared, clock)
    return ProbeReport(
        url=url,
        container=container.format.name,
        codec=stream.codec_context.name,
        width=size[0],
        height=size[1],
        declared_fps=declared,
        measured_fps=clock.measured_fps(),
        duration_s=_duration(container, stream),
        frames=frames,
        decode_fps=frames / elapsed if elapsed > 0 else 0.0,
        pix_fmt=pix_fmt,
        bit_rate=container.bit_rate or None,
        notes=notes,
    )


def _duration(container: InputContainer, stream: VideoStream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000
    return None


def _notes(stream: VideoStream, declared: float | None, clock: PtsClock) -> tuple[str, ...]:
    notes: list[str] = []
    measured = clock.measured_fps()
    if declared and measured and abs(declared - measured) / measured > 0.05:
        notes.append(f"declared frame rate {declared:.3f} disagrees with pts ({measured:.3f})")
    if clock.repaired:
        notes.append(f"{clock.repaired} frames had missing or non-monotonic pts (repaired)")
    if stream.frames:
        notes.append(f"container declares {stream.frames} frames")
    return tuple(notes)


def format_report(report: ProbeReport) -> str:
    def fps(value: float | None) -> str:
        return f"{value:.3f}" if value is not None else "unknown"

    duration = f"{report.duration_s:.2f} s" if report.duration_s is not None else "live/unknown"
    lines = [
        f"source:        {report.url}",
        f"container:     {report.container}",
        f"codec:         {report.codec} ({report.pix_fmt or '?'})",
        f"resolution:    {report.width}x{report.height}",
        f"declared fps:  {fps(report.declared_fps)}",
        f"measured fps:  {fps(report.measured_fps)} (from pts)",
        f"duration:      {duration}",
        f"frames:        {report.frames} decoded",
        f"decode speed:  {report.decode_fps:.1f} frames/s",
    ]
    if report.bit_rate:
        lines.append(f"bit rate:      {report.bit_rate / 1000:.0f} kbit/s")
    lines += [f"note:          {note}" for note in report.notes]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="cityeye probe",
        description="Decode a camera source and report codec, resolution, frame rates and speed.",
    )
    parser.add_argument("source", help="file path, rtsp://, rtmp://, or http(s):// URL")
    parser.add_argument("--frames", type=int, default=300, help="frames to decode (default 300)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for data")
    parser.add_argument("--transport", choices=("tcp", "udp"), default="tcp", help="RTSP only")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.frames < 1:
        parser.error("--frames must be at least 1")
    try:
        report = probe_source(
            args.source, max_frames=args.frames, timeout_s=args.timeout, transport=args.transport
        )
    except SourceError as exc:
        print(f"cityeye probe: {exc.message}", file=sys.stderr)
        return 1
    print(format_report(report))
    return 0
