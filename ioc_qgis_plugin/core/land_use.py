"""Land-use codes (Circular 08/2024) read from layers/land_use_codes.json: labels and colours are data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from .paths import layers_dir


@dataclass(frozen=True)
class LandUse:
    code: str
    vi: str
    en: str
    group: str
    color: str

    def label(self, lang: str = "vi") -> str:
        return f"{self.code} - {self.vi if lang.startswith('vi') else self.en}"


@lru_cache(maxsize=1)
def land_uses() -> dict[str, LandUse]:
    data = json.loads((layers_dir() / "land_use_codes.json").read_text(encoding="utf-8"))
    return {c["code"]: LandUse(c["code"], c["vi"], c["en"], c["group"], c["color"]) for c in data["codes"]}


def is_known(code: str) -> bool:
    return code in land_uses()
