"""A real RTSP server for the tests: GStreamer's gst-rtsp-server serving one file.

Run with the system Python (python3-gi + gir1.2-gst-rtsp-server-1.0 from Debian):
    /usr/bin/python3 gst_rtsp_server.py PORT /path MEDIA.mp4 [h264|h265]
Each client gets its own pipeline (demux -> parser -> RTP payloader), TCP or UDP.
"""

import sys

import gi  # type: ignore[import-not-found, unused-ignore]

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # type: ignore[import-not-found, unused-ignore]  # noqa: E402


def main(argv: list[str]) -> int:
    port, mount, media = argv[:3]
    codec = argv[3] if len(argv) > 3 else "h264"
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(
        f'( filesrc location="{media}" ! qtdemux ! {codec}parse '
        f"! rtp{codec}pay name=pay0 pt=96 config-interval=1 )"
    )
    factory.set_shared(False)
    server.get_mount_points().add_factory(mount, factory)
    if server.attach(None) == 0:
        print(f"cannot listen on 127.0.0.1:{port}", file=sys.stderr)
        return 1
    print("ready", flush=True)
    GLib.MainLoop().run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
