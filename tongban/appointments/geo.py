"""Distances between a person and the service points, computed here (no map service).

Points are stored in the coordinate system they were surveyed in (``org.Hall
.coordinate_system``). Maps published in China use GCJ-02, an obfuscated
offset of WGS-84 required by GB 20263-2006; a phone's satellite fix and the
browser's Geolocation API give WGS-84. The two differ by 100–700 m in China,
enough to put the wrong village station first, so a WGS-84 position is moved
to GCJ-02 before it is compared with a GCJ-02 point. The forward transform is
the published one (the same constants every open-source implementation uses,
e.g. eviltransform); outside China GCJ-02 equals WGS-84.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius
_A = 6378245.0  # Krasovsky 1940, the ellipsoid of the GCJ-02 transform
_EE = 0.00669342162296594323


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


def outside_china(p: Point) -> bool:
    """The rectangle outside which GCJ-02 applies no offset."""
    return not (72.004 <= p.longitude <= 137.8347 and 0.8293 <= p.latitude <= 55.8271)


def _lat_offset(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _lng_offset(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(p: Point) -> Point:
    if outside_china(p):
        return p
    dlat = _lat_offset(p.longitude - 105.0, p.latitude - 35.0)
    dlng = _lng_offset(p.longitude - 105.0, p.latitude - 35.0)
    radlat = p.latitude / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return Point(p.latitude + dlat, p.longitude + dlng)


def gcj02_to_wgs84(p: Point) -> Point:
    """The inverse, by fixed-point iteration (converges to < 1e-9° in a few steps)."""
    if outside_china(p):
        return p
    guess = p
    for _ in range(10):
        moved = wgs84_to_gcj02(guess)
        guess = Point(
            guess.latitude - (moved.latitude - p.latitude),
            guess.longitude - (moved.longitude - p.longitude),
        )
    return guess


def to_system(p: Point, *, source: str, target: str) -> Point:
    """``p`` given in ``source`` ("wgs84"/"gcj02") expressed in ``target``."""
    if source == target:
        return p
    return wgs84_to_gcj02(p) if target == "gcj02" else gcj02_to_wgs84(p)


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance (haversine) on the mean sphere; both in one system."""
    phi1, phi2 = math.radians(a.latitude), math.radians(b.latitude)
    dphi = phi2 - phi1
    dlmb = math.radians(b.longitude - a.longitude)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(centre: Point, radius_km: float) -> tuple[float, float, float, float]:
    """(south, north, west, east) of a box holding every point within ``radius_km``,
    for an indexed range filter before the exact distance."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    cos_lat = max(0.01, math.cos(math.radians(centre.latitude)))
    dlng = min(180.0, dlat / cos_lat)
    return (
        max(-90.0, centre.latitude - dlat),
        min(90.0, centre.latitude + dlat),
        centre.longitude - dlng,
        centre.longitude + dlng,
    )
