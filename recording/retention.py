"""Retention: which segments to delete (pure), the sweeps that delete old segments and old
event clips, and the free-disk guard."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Sequence

from recording.settings import Policy
from recording.store import Clip, RecordingStore, Segment

log = logging.getLogger(__name__)
GB = 1_000_000_000


def plan_retention(segments: Sequence[Segment], policy: Policy, now: float) -> list[Segment]:
    """The segments to delete, oldest first: those that ended more than `retain_days` ago,
    then the oldest until the camera's bytes fit in `retain_gb`. Never an open segment."""
    ordered = sorted(segments, key=lambda s: (s.start, s.id))
    doomed: list[Segment] = []
    if policy.retain_days is not None:
        horizon = now - policy.retain_days * 86_400
        doomed = [s for s in ordered if s.closed and s.end < horizon]
    if policy.retain_gb is not None:
        gone = {s.id for s in doomed}
        total = sum(s.bytes for s in ordered if s.id not in gone)
        limit = policy.retain_gb * GB
        for s in ordered:
            if total <= limit:
                break
            if s.closed and s.id not in gone:
                doomed.append(s)
                gone.add(s.id)
                total -= s.bytes
    return sorted(doomed, key=lambda s: (s.start, s.id))


def sweep(store: RecordingStore, policies: dict[str, Policy], now: float) -> int:
    """Apply every camera's policy; return how many segments were deleted."""
    deleted = 0
    for camera_id, policy in policies.items():
        before = deleted
        for seg in plan_retention(store.segments(camera_id), policy, now):
            try:
                (store.root / seg.path).unlink(missing_ok=True)
            except OSError as exc:
                log.error("retention: cannot delete %s: %s", seg.path, exc)
                continue
            store.delete_segment(seg.id)
            deleted += 1
        if deleted > before:
            log.info("retention: %s: %d segment(s) deleted", camera_id, deleted - before)
    return deleted


def disk_free(store: RecordingStore) -> int:
    return shutil.disk_usage(store.root).free


def _delete_clip(store: RecordingStore, clip: Clip, reason: str) -> bool:
    """Delete a clip's file (a missing one is fine) and mark its row failed with `reason`;
    False (row untouched) when the file cannot be deleted."""
    if clip.path is not None:
        try:
            (store.root / clip.path).unlink(missing_ok=True)
        except OSError as exc:
            log.error("retention: cannot delete clip %s: %s", clip.path, exc)
            return False
    store.expire_clip(clip.event_id, reason)
    return True


def expire_clips(store: RecordingStore, clip_retain_days: float, now: float) -> int:
    """Delete the ready event clips that ended more than `clip_retain_days` ago; their rows
    stay, `failed` with the reason. Returns how many were deleted."""
    horizon = now - clip_retain_days * 86_400
    reason = f"deleted by retention after {clip_retain_days:g} days"
    deleted = 0
    skipped: set[str] = set()  # files that could not be deleted: left for the next sweep
    while True:
        batch = [c for c in store.expired_clips(horizon, 100 + len(skipped))
                 if c.event_id not in skipped]
        if not batch:
            break
        for clip in batch:
            if _delete_clip(store, clip, reason):
                deleted += 1
            else:
                skipped.add(clip.event_id)
    if deleted:
        log.info("retention: %d event clip(s) older than %g days deleted",
                 deleted, clip_retain_days)
    return deleted


def keep_free(
    store: RecordingStore, min_free_bytes: int,
    free: Callable[[RecordingStore], int] = disk_free,
) -> int:
    """Whatever the policies say, delete the oldest finished segments (of any camera) while
    the disk holding the recordings has less than `min_free_bytes` free; when no finished
    segment is left, the oldest ready event clips (their rows stay, `failed` with the reason).
    Returns how many segments and clips were deleted."""
    segments = clips = 0
    stuck: set[int] = set()  # segments whose file could not be deleted (their rows stay)
    skipped: set[str] = set()  # clips whose file could not be deleted
    while free(store) < min_free_bytes:
        batch = [s for s in store.oldest_closed(10 + len(stuck)) if s.id not in stuck]
        if batch:
            for seg in batch:
                try:
                    (store.root / seg.path).unlink(missing_ok=True)
                except OSError as exc:
                    log.error("disk almost full: cannot delete %s: %s", seg.path, exc)
                    stuck.add(seg.id)
                    continue
                store.delete_segment(seg.id)
                segments += 1
                if free(store) >= min_free_bytes:
                    break
            continue
        old = [c for c in store.oldest_clips(10 + len(skipped)) if c.event_id not in skipped]
        if not old:
            log.error("disk almost full (%d bytes free) and no recording left to delete",
                      free(store))
            break
        for clip in old:
            if _delete_clip(store, clip, "deleted: disk almost full"):
                clips += 1
            else:
                skipped.add(clip.event_id)
            if free(store) >= min_free_bytes:
                break
    if segments:
        log.warning("disk almost full: %d oldest segment(s) deleted", segments)
    if clips:
        log.warning("disk almost full: %d oldest event clip(s) deleted", clips)
    return segments + clips
