"""Patrol tours (轮巡): ordered camera lists, runs with per-camera summaries, saved reports."""
