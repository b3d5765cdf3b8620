"""Event clips' retention: clips older than `clip_retain_days` lose their file (the row stays,
`failed` with the reason), and the free-disk guard deletes clips once no segment is left."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import ValidationError

from config import Settings
from db.database import Database
from events.bus import InProcessBus
from recording.clips import clip_path
from recording.retention import expire_clips, keep_free
from recording.service import RecordingService
from recording.settings import RecordingSettings
from recording.store import Clip, NewSegment, RecordingStore
from tests.recording.helpers import FanoutSource

DAY = 86_400.0
NOW = 1000 * DAY


def add_clip(store: RecordingStore, key: str, end: float, status: str = "ready",
             write: bool = True) -> Path:
    """A clip row ending at `end` (its file written when `write`); returns the file's path."""
    rel = clip_path(key)
    path = store.root / rel
    if write:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"clip" * 10)
    store.put_clip(Clip(key, "cam", status, rel if status == "ready" else None, end - 20, end,
                        40 if status == "ready" else 0, None if status == "ready" else "no"))
    return path


def row(store: RecordingStore, key: str) -> Clip:
    clip = store.clip(key)
    assert clip is not None, f"no row for clip {key}"
    return clip


def add_segment(store: RecordingStore, i: int, closed: bool = True) -> Path:
    rel = f"cam/20240101/{i:06d}-0.mp4"
    path = store.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * 10)
    store.add_segment(NewSegment("cam", rel, i * 60.0, i * 60.0 + 60, 10, 1, 1, "h264", closed))
    return path


def test_clips_older_than_the_horizon_are_deleted_and_their_rows_say_why(
    store: RecordingStore,
) -> None:
    old = add_clip(store, "old", NOW - 91 * DAY)
    older = add_clip(store, "older", NOW - 200 * DAY)
    new = add_clip(store, "new", NOW - 89 * DAY)
    add_clip(store, "failed", NOW - 300 * DAY, status="failed", write=False)
    add_clip(store, "pending", NOW - 300 * DAY, status="pending", write=False)

    assert [c.event_id for c in store.expired_clips(NOW - 90 * DAY, 10)] == ["older", "old"]
    assert expire_clips(store, 90, NOW) == 2

    assert not old.exists()
    assert not older.exists()
    gone = row(store, "old")
    assert (gone.status, gone.path, gone.bytes) == ("failed", None, 0)
    assert gone.error == "deleted by retention after 90 days"
    assert row(store, "older").error == "deleted by retention after 90 days"
    assert (row(store, "new").status, row(store, "new").path) == ("ready", clip_path("new"))
    assert new.exists()
    assert row(store, "failed").error == "no"  # its own reason is kept
    assert row(store, "pending").status == "pending"
    assert expire_clips(store, 90, NOW) == 0  # nothing left to do


def test_a_missing_clip_file_is_fine_and_an_undeletable_one_is_skipped(
    store: RecordingStore, caplog: pytest.LogCaptureFixture,
) -> None:
    add_clip(store, "missing", NOW - 100 * DAY, write=False)
    stuck = store.root / clip_path("stuck")
    (stuck / "inside").mkdir(parents=True)  # a directory: unlink raises OSError
    store.put_clip(Clip("stuck", "cam", "ready", clip_path("stuck"), 0, NOW - 100 * DAY, 4, None))

    with caplog.at_level(logging.ERROR, logger="recording.retention"):
        assert expire_clips(store, 90, NOW) == 1
    assert row(store, "missing").status == "failed"
    assert row(store, "stuck").status == "ready"  # left for the next sweep
    assert "cannot delete clip" in caplog.text


def test_the_full_disk_guard_deletes_clips_only_after_every_finished_segment(
    store: RecordingStore,
) -> None:
    segs = [add_segment(store, i) for i in range(3)]
    open_seg = add_segment(store, 3, closed=False)
    clips = [add_clip(store, f"c{i}", 10_000.0 + i) for i in range(3)]
    files = [*segs, open_seg, *clips]

    def free(_: RecordingStore) -> int:  # each deleted file frees 100 bytes
        return 100 * sum(not p.exists() for p in files)

    assert keep_free(store, 300, free) == 3  # the three finished segments are enough
    assert all(p.exists() for p in clips)
    assert [s.closed for s in store.segments("cam")] == [False]
    assert store.oldest_clips(10) == [store.clip(f"c{i}") for i in range(3)]

    assert keep_free(store, 500, free) == 2  # then the oldest clips
    assert [p.exists() for p in clips] == [False, False, True]
    for key in ("c0", "c1"):
        clip = row(store, key)
        assert (clip.status, clip.error, clip.path) == ("failed", "deleted: disk almost full",
                                                        None)
    assert row(store, "c2").status == "ready"
    assert open_seg.exists()  # never the open segment


def test_the_full_disk_guard_skips_a_segment_it_cannot_delete(
    store: RecordingStore, caplog: pytest.LogCaptureFixture,
) -> None:
    stuck = add_segment(store, 0)
    stuck.unlink()
    (stuck / "inside").mkdir(parents=True)  # a directory: unlink raises OSError
    later = add_segment(store, 1)
    clip = add_clip(store, "c0", 10_000.0)

    def free(_: RecordingStore) -> int:  # each deleted file frees 100 bytes
        return 100 * sum(not p.exists() for p in (later, clip))

    with caplog.at_level(logging.ERROR, logger="recording.retention"):
        assert keep_free(store, 200, free) == 2  # the next segment, then the clip
    assert "cannot delete" in caplog.text
    assert [s.start for s in store.segments("cam")] == [0.0]  # its row stays, as its file
    assert row(store, "c0").status == "failed"


def test_the_full_disk_guard_logs_when_nothing_is_left(
    store: RecordingStore, caplog: pytest.LogCaptureFixture,
) -> None:
    add_clip(store, "failed", 10.0, status="failed", write=False)
    with caplog.at_level(logging.ERROR, logger="recording.retention"):
        assert keep_free(store, 100, lambda _: 0) == 0
    assert "no recording left to delete" in caplog.text


def service(database: Database, settings: RecordingSettings) -> RecordingService:
    return RecordingService(FanoutSource(), database, settings, InProcessBus())


def test_the_service_sweep_expires_clips_unless_they_are_kept_forever(
    database: Database, rsettings: RecordingSettings,
) -> None:
    forever = service(database, rsettings.model_copy(
        update={"clip_retain_days": None, "min_free_gb": 0.0}))
    rsettings.root.mkdir(parents=True, exist_ok=True)
    path = add_clip(forever.store, "ancient", NOW - 10_000 * DAY)
    assert forever.sweep(NOW) == 0
    assert path.exists()
    assert row(forever.store, "ancient").status == "ready"

    month = service(database, rsettings.model_copy(
        update={"clip_retain_days": 30.0, "min_free_gb": 0.0}))
    add_clip(month.store, "recent", NOW - 29 * DAY)
    assert month.sweep(NOW) == 1
    assert not path.exists()
    assert row(month.store, "ancient").error == "deleted by retention after 30 days"
    assert row(month.store, "recent").status == "ready"


def test_the_setting_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert RecordingSettings.from_settings(Settings(data_dir=tmp_path)).clip_retain_days == 90.0
    monkeypatch.setenv("CITYEYE_RECORDING_CLIP_RETAIN_DAYS", "14.5")
    assert RecordingSettings.from_settings(Settings(data_dir=tmp_path)).clip_retain_days == 14.5
    off = Settings(data_dir=tmp_path, recording_clip_retain_days=None)
    assert RecordingSettings.from_settings(off).clip_retain_days is None
    for word in ("forever", "None"):
        monkeypatch.setenv("CITYEYE_RECORDING_CLIP_RETAIN_DAYS", word)
        assert RecordingSettings.from_settings(Settings(data_dir=tmp_path)).clip_retain_days is None
    monkeypatch.setenv("CITYEYE_RECORDING_RETAIN_GB", "none")
    assert Settings(data_dir=tmp_path).recording_retain_gb is None
    monkeypatch.setenv("CITYEYE_RECORDING_CLIP_RETAIN_DAYS", "-3")
    with pytest.raises(ValidationError, match="greater than 0"):
        Settings(data_dir=tmp_path)
