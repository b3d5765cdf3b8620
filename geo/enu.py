"""Latitude/longitude ↔ a local east/north/up metric frame around a district origin.

A local tangent plane with the WGS84 radii of curvature at the origin: over a district
(a few kilometres) the error is centimetres, far below what a camera calibration resolves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

_A = 6378137.0  # WGS84 semi-major axis, metres
_E2 = 6.69437999014e-3  # WGS84 first eccentricity squared

ZHONGSHAN_PARK = (31.2197, 121.4187)  # 中山公园, the default district origin


@dataclass(frozen=True)
class Origin:
    """The district origin: east/north/up are metres from here."""

    lat: float
    lon: float
    alt: float = 0.0

    def _radii(self) -> tuple[float, float]:
        s = math.sin(math.radians(self.lat))
        w = 1.0 - _E2 * s * s
        meridian = _A * (1.0 - _E2) / w**1.5
        normal = _A / math.sqrt(w)
        return meridian, normal * math.cos(math.radians(self.lat))

    def to_enu(self, lat: float, lon: float, alt: float = 0.0) -> tuple[float, float, float]:
        m, n = self._radii()
        north = math.radians(lat - self.lat) * m
        east = math.radians(lon - self.lon) * n
        return east, north, alt - self.alt

    def to_lla(self, east: float, north: float, up: float = 0.0) -> tuple[float, float, float]:
        m, n = self._radii()
        lat = self.lat + math.degrees(north / m)
        lon = self.lon + math.degrees(east / n)
        return lat, lon, up + self.alt
