"""Report categories (service codes) and their labels; cities can add their own in data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    code: str
    vi: str
    en: str

    def label(self, lang: str = "vi") -> str:
        return self.vi if lang.startswith("vi") else self.en


CATEGORIES: tuple[Category, ...] = (
    Category("urban_order", "Trật tự đô thị", "Urban order"),
    Category("environment", "Môi trường", "Environment"),
    Category("traffic", "Giao thông", "Traffic"),
    Category("land", "Đất đai - Xây dựng", "Land and construction"),
    Category("security", "An ninh trật tự", "Security"),
    Category("infrastructure", "Hạ tầng - Điện chiếu sáng", "Infrastructure and lighting"),
)
CATEGORY_BY_CODE = {c.code: c for c in CATEGORIES}


def category_label(code: str, lang: str = "vi") -> str:
    cat = CATEGORY_BY_CODE.get(code)
    return cat.label(lang) if cat else code


PRIORITY_LABELS = {
    "urgent": ("Khẩn cấp", "Urgent"),
    "high": ("Cao", "High"),
    "normal": ("Bình thường", "Normal"),
    "low": ("Thấp", "Low"),
}


def priority_label(code: str, lang: str = "vi") -> str:
    vi, en = PRIORITY_LABELS.get(code, (code, code))
    return vi if lang.startswith("vi") else en
