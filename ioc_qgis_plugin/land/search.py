"""Find parcels by "sheet/parcel" number ("12/345", "tờ 12 thửa 345") or by address text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

from ..core.text_fold import contains_where
from ..core.text_fold import fold as fold_text

_NUMBERS = re.compile(r"^\s*(?:t[ờo]\s*)?(\d+)\s*(?:[/\-]|\s+(?:th[ửu]a\s*)?)\s*(\d+)\s*$", re.I)
_WORDS = re.compile(r"t[ờo]\s*(?:b[ảa]n\s*đ[ồo]\s*)?(\d+).*?th[ửu]a\s*(?:s[ốo]\s*)?(\d+)", re.I)


@dataclass(frozen=True)
class ParcelHit:
    fid: int
    parcel_id: str
    sheet_no: int
    parcel_no: int
    land_use: str
    address: str

    def display(self) -> str:
        text = f"Tờ {self.sheet_no} / thửa {self.parcel_no} · {self.land_use}"
        return text + (f" · {self.address}" if self.address else "")


def parse_sheet_parcel(text: str) -> Optional[tuple[int, int]]:
    """(sheet, parcel) from '12/345', '12-345', '12 345', 'tờ 12 thửa 345'; None when it is not a number pair."""
    m = _NUMBERS.match(text) or _WORDS.search(text)
    return (int(m.group(1)), int(m.group(2))) if m else None


def fold(text: str) -> str:
    """Lower case without accents (đ → d), so 'nguyen trai' finds 'Nguyễn Trãi' (the one search meaning)."""
    return fold_text(text)


def search_parcels(store: Any, text: str, limit: int = 20) -> list[ParcelHit]:
    text = (text or "").strip()
    if len(text) < 2:
        return []
    cols = ["fid", "parcel_id", "sheet_no", "parcel_no", "land_use", "address"]
    pair = parse_sheet_parcel(text)
    if pair is not None:
        rows = store.fetch("parcels", "sheet_no = ? AND parcel_no = ?", pair, cols, limit=limit)
    else:
        # the same case- and accent-insensitive, literal match as the panel and the map filter, in the store's SQL
        dialect = "postgres" if getattr(store, "kind", "") == "postgis" else "sqlite"
        where, params = contains_where(("address",), text, dialect)
        rows = store.fetch("parcels", where, params, cols, limit=limit)
    return [
        ParcelHit(
            int(r["fid"]),
            str(r["parcel_id"]),
            int(r["sheet_no"] or 0),
            int(r["parcel_no"] or 0),
            str(r["land_use"] or ""),
            str(r["address"] or ""),
        )
        for r in rows
    ]
