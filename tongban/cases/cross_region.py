"""同城通办 and 异地代办 (R-CS-10): whether a hall that takes an application in at its
window takes it for its own region or for another one.

A hall takes in, for its own region, the items of its region and of the regions
above it (a county centre takes a city's item; a township's 便民服务中心 the
county's, 就近办) and beneath it. An item of a region off that line is taken
for another region: 同城通办 when both lie in the same 设区的市 (the second
level of the path, "/320000/320100/…"), 异地代办 otherwise (another city or
province, 跨省通办 included). The case is still the owning department's: it is
numbered, queued and decided there; the taking hall only received it.
"""

from __future__ import annotations

from django.db import models


class CrossRegion(models.TextChoices):
    SAME_CITY = "same_city", "同城通办"
    OTHER_PLACE = "other_place", "异地代办"


def _city(path: str) -> str:
    parts = [p for p in path.split("/") if p]
    return "/".join(parts[:2]) if len(parts) >= 2 else ""


def cross_region_of(*, hall_path: str, item_path: str) -> str:
    """ "" for the hall's own line, else ``same_city`` or ``other_place``."""
    if not hall_path or not item_path:
        return ""
    if hall_path.startswith(item_path) or item_path.startswith(hall_path):
        return ""
    city = _city(hall_path)
    return CrossRegion.SAME_CITY if city and city == _city(item_path) else CrossRegion.OTHER_PLACE
