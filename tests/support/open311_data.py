"""Shared test data for the Open311 tests: a small deterministic demo city with a fixed end date."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache

from ioc_qgis_plugin.demo.citygen import City, CityConfig

END = datetime(2024, 6, 1, tzinfo=timezone.utc)


@lru_cache(maxsize=4)
def _rows(n: int) -> tuple:
    city = City(CityConfig(reports=n, end="2024-06-01"))
    city.wards()  # reports() needs the ward polygons
    return tuple(city.reports())


def demo_rows(n: int = 2000) -> list[dict]:
    return [dict(r) for r in _rows(n)]


@lru_cache(maxsize=1)
def _wards() -> tuple:
    city = City(CityConfig(reports=10, end="2024-06-01"))
    rows, geoms = city.wards()
    return tuple(rows), tuple(geoms)


def demo_wards() -> tuple[list[dict], list]:
    rows, geoms = _wards()
    return [dict(r) for r in rows], list(geoms)
