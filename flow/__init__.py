"""Crowd flow (客流): areas over camera zones, per-minute series, forecasts and early warning."""
