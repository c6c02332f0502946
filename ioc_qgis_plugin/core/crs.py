"""Province CRS registry (VN-2000 / TM-3 per province), read from layers/crs_registry.json.

PROJ's +towgs84 uses the position-vector convention, so the three rotations carry the opposite sign of the
published coordinate-frame parameters; the registry stores them already flipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from .paths import layers_dir


@dataclass(frozen=True)
class ProvinceCrs:
    code: str
    name: str
    central_meridian: float
    epsg: Optional[int]
    towgs84: tuple[float, ...]

    @property
    def proj4(self) -> str:
        """VN-2000 / TM-3 with the 7-parameter shift to WGS 84 (used where EPSG's default transform is absent)."""
        shift = ",".join(f"{v:.9g}" for v in self.towgs84)
        return (
            f"+proj=tmerc +lat_0=0 +lon_0={self.central_meridian:g} +k=0.9999 +x_0=500000 +y_0=0 "
            f"+ellps=WGS84 +towgs84={shift} +units=m +no_defs"
        )

    @property
    def authid(self) -> str:
        return f"EPSG:{self.epsg}" if self.epsg else self.proj4


@lru_cache(maxsize=4)
def load_registry(path: Optional[str] = None) -> dict[str, ProvinceCrs]:
    data = json.loads(Path(path or layers_dir() / "crs_registry.json").read_text(encoding="utf-8"))
    shift = tuple(float(v) for v in data["towgs84_position_vector"])
    return {
        p["code"]: ProvinceCrs(p["code"], p["name"], float(p["central_meridian"]), p.get("epsg"), shift)
        for p in data["provinces"]
    }


def province(code: str) -> ProvinceCrs:
    registry = load_registry()
    if code not in registry:
        raise KeyError(f"province '{code}' is not in the CRS registry; known: {', '.join(sorted(registry))}")
    return registry[code]
