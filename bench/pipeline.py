"""Vision pipeline throughput for 1, 2 and 4 cameras from the shared clips, in one run:

- pipeline: VisionService (batching worker -> tracker -> zones/lines -> rules) fed the clips'
  frames at the analysis size as fast as it takes them (each frame analysed once, in order);
- model-only: the same detector on the same frames, in the same batches, nothing else (with
  as many batches queued on the runtime as the pipeline may queue, `in_flight`);
- naive: per camera, one after another, `YOLO(weights).track(clip, stream=True)` (decodes at
  full resolution, one frame at a time) for the same number of frames, timed from its first
  result on (its model load and warm-up excluded, as they are for the other two);
and the ratios (targets: pipeline >= 0.9 x model-only, >= 2 x naive). On Linux it also prints
where the CPU went per analysed frame (from /proc: the inference runtime's threads, the batching
worker, the analytics thread, the rest; a synchronous inference partly runs on the calling
thread, so runtime + batching is the detector's cost) and how busy the cores were: if pipeline
and model-only kept the cores equally busy, their fps ratio would be the "cpu ratio" printed.

    CITYEYE_MODELS_DIR=../shared/models CITYEYE_MEDIA_DIR=../shared/media \\
        python bench/pipeline.py [--frames 60] [--cameras 1 2 4] [--device cpu] [--density] \\
            [--repeat 3] [--runtime auto|openvino|ultralytics] [--square] \\
            [--source-fps 25] [--in-flight 3]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from events.model import Event
from models import UltralyticsConfig, build_detector, resolve_detector_weights
from models.config import McnnConfig
from models.protocols import PendingBatch, submit_batch
from vision.analytics import CameraAnalysisConfig, CameraState
from vision.clip import ClipFrame, ClipReader
from vision.geometry import Line, Zone
from vision.service import VisionService, VisionSettings
from vision.worker import WorkerSettings

CLIPS = (
    "pedestrians_street_yas-sim.mp4",
    "mall_entrance_zayed.mp4",
    "traffic_highway_mihailrc.mp4",
    "pedestrians_street_amirhossein.mp4",
)


ROLES = ("runtime", "batching", "analytics", "other")


def thread_cpu() -> dict[str, float]:
    """CPU seconds used so far by this process's live threads, by role: the batching worker
    (`vision-NAME`), its analytics thread (`vision-NAME-analytics`), threads Python did not
    start (the inference runtime's pool), the rest (this script, other Python threads).
    Empty where /proc is missing."""
    tasks = Path("/proc/self/task")
    if not tasks.is_dir():
        return {}
    names = {t.native_id: t.name for t in threading.enumerate() if t.native_id is not None}
    tick = os.sysconf("SC_CLK_TCK")
    out = dict.fromkeys(ROLES, 0.0)
    for task in tasks.iterdir():
        try:
            stat = (task / "stat").read_text()
        except OSError:  # the thread ended meanwhile
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        cpu = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        name = names.get(int(task.name))
        if name is None:
            role = "runtime"
        elif name.startswith("vision-"):
            role = "analytics" if name.endswith("-analytics") else "batching"
        else:
            role = "other"
        out[role] += cpu
    return out


@dataclass(frozen=True)
class Measured:
    fps: float
    frames: int
    seconds: float
    cpu: dict[str, float]  # CPU seconds by role over the measured frames ({} without /proc)

    def cpu_ms_per_frame(self, role: str) -> float:
        return 1e3 * self.cpu.get(role, 0.0) / self.frames

    def busy(self) -> float:
        """The share of the machine's cores the process kept busy while measured."""
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        return sum(self.cpu.values()) / (self.seconds * cores)


def cpu_since(before: dict[str, float]) -> dict[str, float]:
    after = thread_cpu()
    return {k: after[k] - before.get(k, 0.0) for k in after}


class Replay:
    """The shared clips as cameras. `source_fps` None: each request for a camera's newest frame
    gets its next frame, in order, then its last one again (the pipeline analyses every frame
    once and in order: the frames model-only infers, with the motion between them a live
    camera shows its tracker). A rate: frames by wall-clock time at that rate, looping, the
    newest frame wins (live cameras, as with IngestManager). `analysed` counts what the
    pipeline analysed."""

    def __init__(self, frames: dict[str, list[ClipFrame]], source_fps: float | None) -> None:
        self.frames = frames
        self.source_fps = source_fps
        self.t0: float | None = None
        self.counts: dict[str, int] = dict.fromkeys(frames, 0)
        self.served: dict[str, int] = dict.fromkeys(frames, 0)
        self.lock = threading.Lock()

    def latest_analysis(self, camera_id: str) -> ClipFrame | None:
        if self.t0 is None:
            return None
        seq = self.frames[camera_id]
        if self.source_fps is None:
            with self.lock:
                k = self.served[camera_id] = min(self.served[camera_id] + 1, len(seq))
            f = seq[k - 1]
            return ClipFrame(camera_id, k, f.pts, time.time(), f.image)
        k = int((time.perf_counter() - self.t0) * self.source_fps)
        f = seq[k % len(seq)]
        return ClipFrame(camera_id, k + 1, f.pts, time.time(), f.image)

    def exhausted(self) -> bool:
        """In-order replay: every frame of every camera was handed out."""
        with self.lock:
            return all(self.served[c] == len(f) for c, f in self.frames.items())

    def analysed(self, state: CameraState) -> None:
        with self.lock:
            self.counts[state.camera_id] += 1

    def total(self) -> int:
        with self.lock:
            return sum(self.counts.values())


def decode(clip: Path, camera_id: str, n: int, width: int) -> list[ClipFrame]:
    """`n` frames of the clip, from its start again if it is shorter (all cameras then give
    as many frames, and a batch of every camera fills to the end)."""
    out: list[ClipFrame] = []
    while len(out) < n:
        before = len(out)
        with ClipReader(clip, camera_id, fps=None, width=width) as reader:
            for f in reader:
                out.append(ClipFrame(camera_id, len(out) + 1, f.pts, f.captured_at, f.image))
                if len(out) >= n:
                    break
        if len(out) == before:
            raise ValueError(f"{clip}: no frames decoded")
    return out


def camera_config(camera_id: str) -> CameraAnalysisConfig:
    zone = Zone(id="middle", name="中部", polygon=[(0.2, 0.3), (0.8, 0.3), (0.8, 0.9), (0.2, 0.9)])
    line = Line(id="cross", name="横线", a=(0.05, 0.6), b=(0.95, 0.6))
    return CameraAnalysisConfig(camera_id=camera_id, zones=[zone], lines=[line], analysis_fps=30)


def run_pipeline(
    frames: dict[str, list[ClipFrame]],
    det: UltralyticsConfig,
    models_dir: Path | None,
    density: bool,
    source_fps: float | None,
    in_flight: int,
) -> Measured:
    replay = Replay(frames, source_fps)
    settings = VisionSettings(
        detectors={"default": det},
        density=McnnConfig() if density else None,
        worker=WorkerSettings(max_batch=len(frames), max_wait_s=0.05, in_flight=in_flight),
    )
    events: list[Event] = []
    service = VisionService(replay, settings, models_dir, events.append, on_state=replay.analysed)
    service.set_cameras([camera_config(c) for c in frames])
    service.start()
    try:
        deadline = time.monotonic() + 120
        while any(s.status == "starting" for s in service.statuses()):
            if time.monotonic() > deadline:
                raise TimeoutError("the detector did not load within 120 s")
            time.sleep(0.05)
        bad = [s for s in service.statuses() if not s.ok]
        if bad:
            raise RuntimeError(bad[0].status)
        want = sum(len(f) for f in frames.values())
        cpu0 = thread_cpu()
        replay.t0 = t0 = time.perf_counter()
        progress = (0, time.perf_counter())
        while (done := replay.total()) < want:
            now = time.perf_counter()
            if now - t0 > 600:
                raise TimeoutError("the pipeline did not finish within 600 s")
            if done != progress[0]:
                progress = (done, now)
            elif replay.exhausted() and now - progress[1] > 5.0:
                raise RuntimeError(
                    f"the worker analysed {done} of the {want} frames replayed in order and "
                    "stopped: it dropped some (gathered, then not submitted)"
                )
            time.sleep(0.01)
        seconds = time.perf_counter() - t0
        return Measured(done / seconds, done, seconds, cpu_since(cpu0))
    finally:
        service.stop()


def run_model_only(
    frames: dict[str, list[ClipFrame]],
    det: UltralyticsConfig,
    models_dir: Path | None,
    depth: int,
) -> Measured:
    detector = build_detector(det, models_dir)
    cams = list(frames)
    n = min(len(f) for f in frames.values())
    detector.detect_batch([frames[cams[0]][0].image])  # warm-up, as the pipeline's first batch
    cpu0 = thread_cpu()
    t0 = time.perf_counter()
    pending: deque[PendingBatch] = deque()
    for i in range(n):  # up to `in_flight` batches queued on the runtime, as in the pipeline
        if len(pending) >= depth:
            pending.popleft().result()
        pending.append(submit_batch(detector, [frames[c][i].image for c in cams]))
    while pending:
        pending.popleft().result()
    seconds = time.perf_counter() - t0
    cpu = cpu_since(cpu0)
    if cpu:  # this thread calls the detector: it is the batching here
        cpu["batching"], cpu["other"] = cpu["other"], 0.0
    return Measured(n * len(cams) / seconds, n * len(cams), seconds, cpu)


def run_naive(clips: list[Path], n: int, det: UltralyticsConfig, models_dir: Path | None) -> float:
    from ultralytics.models import YOLO

    logging.getLogger("ultralytics").setLevel(logging.WARNING)  # keep stdout for the figures
    weights = resolve_detector_weights(det, models_dir)
    classes = [0, 1, 2, 3, 5, 7]
    t_total, frames = 0.0, 0
    for clip in clips:
        model = YOLO(weights, task="detect")
        t0 = 0.0
        for k, _ in enumerate(
            model.track(
                source=str(clip),
                stream=True,
                imgsz=det.imgsz,
                classes=classes,
                device=det.device,
                verbose=False,
            )
        ):
            if k == 0:  # the clock starts once the model is loaded and warm, as for the others
                t0 = time.perf_counter()
            if k + 1 >= n:
                break
        t_total += time.perf_counter() - t0
        frames += n - 1
    return frames / t_total


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--frames", type=int, default=60, help="frames per camera")
    p.add_argument("--cameras", type=int, nargs="+", default=[1, 2, 4])
    p.add_argument("--device", default="cpu")
    p.add_argument("--model", help="weights (default: the models dir's, OpenVINO INT8 on CPU)")
    p.add_argument("--width", type=int, default=640, help="analysis width")
    p.add_argument("--density", action="store_true", help="also run MCNN every 2 s per camera")
    p.add_argument(
        "--runtime",
        choices=["auto", "openvino", "ultralytics"],
        default="auto",
        help="how our path runs an OpenVINO export (UltralyticsConfig.runtime)",
    )
    p.add_argument("--square", action="store_true", help="OpenVINO runtime: no rect input")
    p.add_argument(
        "--source-fps",
        type=float,
        default=None,
        help="frames/s of each replayed camera (default: every frame in order, the next one "
        "as soon as the pipeline asks; 25 plays live cameras, the pipeline then analyses the "
        "newest frame of each)",
    )
    p.add_argument(
        "--in-flight",
        type=int,
        default=WorkerSettings().in_flight,
        help="batches queued on the runtime at most (WorkerSettings.in_flight; 1: none "
        "queued behind the one being decoded), for the pipeline and model-only alike",
    )
    p.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="measure each figure this many times, interleaved, and keep the best (shared CPUs)",
    )
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    media = Path(os.environ.get("CITYEYE_MEDIA_DIR", "../shared/media")) / "videos"
    models_env = os.environ.get("CITYEYE_MODELS_DIR")
    models_dir = Path(models_env) if models_env else None
    det = UltralyticsConfig(
        model=args.model,
        device=args.device,
        half=args.device != "cpu",
        runtime=args.runtime,
        rect=not args.square,
    )
    source = (
        "give every frame in order" if args.source_fps is None else f"at {args.source_fps:g} fps"
    )
    print(
        f"detector: {resolve_detector_weights(det, models_dir)} on {args.device} "
        f"(runtime {det.runtime}, rect {det.rect}); "
        f"{args.frames} frames per camera at width {args.width}; "
        f"density {'on' if args.density else 'off'}; cameras {source}; "
        f"{args.in_flight} batches in flight; best of {args.repeat}"
    )
    print(
        f"{'cameras':>7} {'pipeline fps':>13} {'model-only fps':>15} {'naive fps':>10} "
        f"{'pipe/model':>11} {'pipe/naive':>11}"
    )
    cpu_rows: list[tuple[int, Measured, Measured]] = []
    for n in args.cameras:
        clips = [media / CLIPS[i % len(CLIPS)] for i in range(n)]
        frames = {
            f"cam{i + 1}": decode(c, f"cam{i + 1}", args.frames, args.width)
            for i, c in enumerate(clips)
        }
        pipes: list[Measured] = []
        models: list[Measured] = []
        naive = 0.0
        for _ in range(max(1, args.repeat)):
            pipes.append(
                run_pipeline(frames, det, models_dir, args.density, args.source_fps, args.in_flight)
            )
            models.append(run_model_only(frames, det, models_dir, args.in_flight))
            naive = max(naive, run_naive(clips, args.frames, det, models_dir))
        pipe = max(pipes, key=lambda m: m.fps)
        model = max(models, key=lambda m: m.fps)
        print(
            f"{n:>7} {pipe.fps:>13.1f} {model.fps:>15.1f} {naive:>10.1f}"
            f" {pipe.fps / model.fps:>11.2f} {pipe.fps / naive:>11.2f}",
            flush=True,
        )
        cpu_rows.append((n, pipe, model))
        del frames
    print_cpu(cpu_rows)
    return 0


def print_cpu(rows: list[tuple[int, Measured, Measured]]) -> None:
    if not rows or not rows[0][1].cpu:
        return
    print("\nCPU per analysed frame, ms (the runs in the table above):")
    print(
        f"{'cameras':>7} {'run':>10} "
        + " ".join(f"{r:>9}" for r in ROLES)
        + f" {'total':>7} {'busy':>5}"
    )
    for n, pipe, model in rows:
        for label, m in (("pipeline", pipe), ("model-only", model)):
            total = sum(m.cpu_ms_per_frame(r) for r in ROLES)
            print(
                f"{n:>7} {label:>10} "
                + " ".join(f"{m.cpu_ms_per_frame(r):>9.2f}" for r in ROLES)
                + f" {total:>7.2f} {m.busy():>5.0%}"
            )
        ratio = sum(model.cpu.values()) / model.frames / (sum(pipe.cpu.values()) / pipe.frames)
        print(f"{n:>7} {'cpu ratio':>10} model-only CPU / pipeline CPU per frame = {ratio:.2f}")


if __name__ == "__main__":
    raise SystemExit(main())
