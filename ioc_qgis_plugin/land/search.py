"""Find parcels by "sheet/parcel" number ("12/345", "tờ 12 thửa 345") or by address text."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Optional

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
    """Lower case without accents (đ → d), so 'nguyen trai' finds 'Nguyễn Trãi'."""
    plain = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in plain if not unicodedata.combining(c)).casefold()


def search_parcels(store: Any, text: str, limit: int = 20) -> list[ParcelHit]:
    text = (text or "").strip()
    if len(text) < 2:
        return []
    cols = ["fid", "parcel_id", "sheet_no", "parcel_no", "land_use", "address"]
    pair = parse_sheet_parcel(text)
    if pair is not None:
        rows = store.fetch("parcels", "sheet_no = ? AND parcel_no = ?", pair, cols, limit=limit)
    else:
        # SQL narrows on the raw text (fast, indexed-free LIKE); accent-insensitive matching is done here
        rows = store.fetch("parcels", "address LIKE ?", (f"%{text}%",), cols, limit=limit)
        if len(rows) < limit:
            needle = fold(text)
            seen = {r["fid"] for r in rows}
            more = store.fetch("parcels", "address IS NOT NULL", (), cols)
            rows += [r for r in more if r["fid"] not in seen and needle in fold(r["address"])][: limit - len(rows)]
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
