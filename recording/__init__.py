"""Continuous per-camera recording (fragmented MP4 by stream copy), retention, event clips and
the playback API. See README.md."""
