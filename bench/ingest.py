"""Ingest benchmark: N cameras decoding the shared 1080p clip, against bare FFmpeg.

    CITYEYE_MEDIA_DIR=/work/shared/media .venv/bin/python bench/ingest.py

Prints, in one run:
  1. bare `ffmpeg -benchmark` decode rate of the clip (the baseline);
  2. flat-out decode (files not paced) with 1, 2, 4, 8 cameras: fps per camera and the ratio
     to the baseline divided by the camera count (1.00 = as fast as FFmpeg on the share);
  3. live decode (files paced at their native 30 fps) with 1, 2, 4, 8 cameras: fps per camera
     against the source rate, CPU (all decoder processes + this one) and memory;
  4. the worker model: the same PyAV decode loop in N threads vs N processes.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import av

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from streams import CameraSource, IngestManager, IngestSettings

CLIP = "videos/pedestrians_street_yas-sim.mp4"
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class RunResult:
    cameras: int
    fps: list[float]
    cpu_percent: float
    rss_mb: float


def ffmpeg_baseline(clip: Path) -> float:
    out = subprocess.run(
        ["ffmpeg", "-hide_banner", "-benchmark", "-i", str(clip), "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    frames = int(re.findall(r"frame=\s*(\d+)", out.stderr)[-1])
    rtime = float(re.search(r"rtime=([\d.]+)s", out.stderr).group(1))  # type: ignore[union-attr]
    return frames / rtime


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid: int) -> float:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"VmRSS:\s+(\d+) kB", text)
    return int(match.group(1)) / 1024 if match else 0.0


def run_cameras(clip: Path, cameras: int, paced: bool, seconds: float) -> RunResult:
    settings = IngestSettings(pace_files=paced, relay_packets=True, stats_interval_s=0.1)
    with IngestManager(settings) as manager:
        ids = [f"cam{i}" for i in range(cameras)]
        for cam in ids:
            manager.add(CameraSource(cam, str(clip), analysis_width=640, analysis_fps=5))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # warm up: every camera decoding
            if all((h.frames_decoded or 0) > 30 for h in manager.healths()):
                break
            time.sleep(0.1)
        pids = [os.getpid(), *[p for c in ids if (p := manager.decoder_pid(c)) is not None]]
        start_frames = {h.camera_id: h.frames_decoded for h in manager.healths()}
        cpu0, t0 = sum(cpu_seconds(p) for p in pids), time.monotonic()
        time.sleep(seconds)
        elapsed = time.monotonic() - t0
        cpu = sum(cpu_seconds(p) for p in pids) - cpu0
        memory = sum(rss_mb(p) for p in pids)
        fps = [(h.frames_decoded - start_frames[h.camera_id]) / elapsed for h in manager.healths()]
    return RunResult(cameras, fps, 100 * cpu / elapsed, memory)


def _decode_loop(clip: str, seconds: float, out: list[float], index: int) -> None:
    frames, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        with av.open(clip) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            for i, frame in enumerate(container.decode(stream)):
                frames += 1
                if i % 6 == 0:
                    frame.reformat(640, 360, format="bgr24").to_ndarray()
    out[index] = frames / (time.perf_counter() - started)


def _decode_in_process(clip: str, seconds: float, shared: list[float], index: int) -> None:
    local = [0.0]
    _decode_loop(clip, seconds, local, 0)
    shared[index] = local[0]


def worker_models(clip: Path, n: int, seconds: float) -> tuple[list[float], list[float]]:
    thread_out = [0.0] * n
    threads = [
        threading.Thread(target=_decode_loop, args=(str(clip), seconds, thread_out, i))
        for i in range(n)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ctx = mp.get_context("spawn")
    shared = ctx.Array("d", n)
    procs = [
        ctx.Process(target=_decode_in_process, args=(str(clip), seconds, shared, i))
        for i in range(n)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return thread_out, [float(v) for v in shared[:]]


def row(r: RunResult, ratio: float) -> str:
    cams = f"{r.cameras} camera(s):"
    return f"  {cams:<13}{fmt(r.fps):<56} {ratio:5.2f} {r.cpu_percent:5.0f} {r.rss_mb:6.0f}"


def fmt(values: list[float]) -> str:
    return " ".join(f"{v:6.1f}" for v in values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=8.0, help="measuring window per run")
    parser.add_argument("--counts", default="1,2,4,8")
    args = parser.parse_args()
    media = os.environ.get("CITYEYE_MEDIA_DIR")
    if not media:
        print("set CITYEYE_MEDIA_DIR to the shared media folder", file=sys.stderr)
        return 2
    clip = Path(media) / CLIP
    counts = [int(c) for c in args.counts.split(",")]
    probe = av.open(str(clip))
    source_fps = float(probe.streams.video[0].average_rate or 30)
    size = f"{probe.streams.video[0].width}x{probe.streams.video[0].height}"
    probe.close()
    print(f"clip {clip.name} {size} @ {source_fps:g} fps, {os.cpu_count()} CPUs")
    print("flat-out decode (not paced)   fps per camera     ratio to ffmpeg/N  CPU%  RSS MB")
    for n in counts:
        before = ffmpeg_baseline(clip)  # measured around each run: the CPU may be shared
        r = run_cameras(clip, n, paced=False, seconds=args.seconds)
        base = (before + ffmpeg_baseline(clip)) / 2
        print(row(r, min(r.fps) / (base / n)) + f"   (ffmpeg -benchmark: {base:.0f} fps)")
    print(f"\nlive decode (paced at {source_fps:g} fps)  fps per camera    min/source  CPU% RSS MB")
    for n in counts:
        r = run_cameras(clip, n, paced=True, seconds=args.seconds)
        ratio = min(r.fps) / source_fps
        print(row(r, ratio))
    print("\nworker model: same PyAV loop (decode + 1/6 frames to 640x360 BGR), fps per worker")
    for n in (1, 2, 4):
        threads, procs = worker_models(clip, n, args.seconds / 2)
        print(f"  {n}: threads {fmt(threads)} | processes {fmt(procs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
