"""Moved to ``streams.rtsp`` (ingest uses it); kept so old imports still work."""

from streams.rtsp import RtspInput, RtspResponse

__all__ = ["RtspInput", "RtspResponse"]
