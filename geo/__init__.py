"""Geo model, camera calibration and AR labels (AR视频调阅)."""
