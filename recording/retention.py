"""Retention: which segments to delete (pure), and the sweep that deletes them."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Sequence

from recording.settings import Policy
from recording.store import RecordingStore, Segment

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


def keep_free(
    store: RecordingStore, min_free_bytes: int,
    free: Callable[[RecordingStore], int] = disk_free,
) -> int:
    """Whatever the policies say, delete the oldest finished segments (of any camera) while
    the disk holding the recordings has less than `min_free_bytes` free."""
    deleted = 0
    while free(store) < min_free_bytes:
        batch = store.oldest_closed(10)
        if not batch:
            log.error("disk almost full (%d bytes free) and no recording left to delete",
                      free(store))
            break
        for seg in batch:
            (store.root / seg.path).unlink(missing_ok=True)
            store.delete_segment(seg.id)
            deleted += 1
            if free(store) >= min_free_bytes:
                break
    if deleted:
        log.warning("disk almost full: %d oldest segment(s) deleted", deleted)
    return deleted
