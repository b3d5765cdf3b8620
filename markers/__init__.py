"""Markers (弹幕): timestamped notes on a camera's video, made by people or by the AI."""
