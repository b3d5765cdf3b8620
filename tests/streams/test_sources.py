import pytest

from streams.datatypes import SourceError
from streams.sources import SourceKind, classify, redact


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("/data/cam.mp4", SourceKind.FILE),
        ("file:///data/cam.mp4", SourceKind.FILE),
        ("rtsp://10.1.2.3/stream1", SourceKind.RTSP),
        ("rtmp://live.example/app/key", SourceKind.RTMP),
        ("https://cdn.example/live/index.m3u8", SourceKind.HLS),
        ("http://relay.example/live/cam.flv", SourceKind.HTTP_FLV),
        ("http://cam.example/video.mjpg", SourceKind.MJPEG),
    ],
)
def test_classify(url: str, kind: SourceKind) -> None:
    assert classify(url).kind is kind


def test_bad_scheme_is_a_clear_error() -> None:
    with pytest.raises(SourceError, match="unsupported URL scheme 'ftp'"):
        classify("ftp://cam/x")


def test_passwords_never_reach_messages() -> None:
    assert redact("rtsp://admin:secret@cam:554/s") == "rtsp://admin:***@cam:554/s"
