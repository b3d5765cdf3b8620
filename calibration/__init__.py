"""Per-camera crowd-density calibration: clicked heads -> a stored correction -> the pipeline."""
