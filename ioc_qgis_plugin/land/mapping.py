"""Field mapping from a delivered cadastral file to the parcels schema, with named presets stored as JSON files."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Optional, Sequence

# Schema field -> names seen in delivered files (compared case- and accent-insensitively, without separators).
ALIASES: dict[str, tuple[str, ...]] = {
    "sheet_no": ("SoHieuToBanDo", "SHBanDo", "SoToBanDo", "ToBanDo", "SoTo", "SHTO", "TBD", "sheet_no", "sheet"),
    "parcel_no": ("SoThuTuThua", "SoThua", "SHThua", "STTThua", "Thua", "parcel_no", "parcel"),
    "area_declared": ("DienTich", "DTich", "DT", "DienTichPhapLy", "area_declared", "area"),
    "land_use": ("KyHieuMucDichSuDung", "MucDichSuDung", "MDSD", "KHMDSD", "LoaiDat", "land_use", "landuse"),
    "address": ("DiaChi", "DiaChiThua", "DCThua", "address"),
    "owner_type": ("DoiTuongSuDung", "DTSD", "LoaiChu", "owner_type"),
}
SOURCE_LABELS = {
    "sheet_no": "SoHieuToBanDo",
    "parcel_no": "SoThuTuThua",
    "area_declared": "DienTich",
    "land_use": "KyHieuMucDichSuDung",
    "address": "DiaChi",
    "owner_type": "DoiTuongSuDung",
}
REQUIRED = ("sheet_no", "parcel_no", "land_use")


@dataclass
class FieldMapping:
    """Source field name per schema field ('' = not in the file) plus how to read the file."""

    sheet_no: str = "SoHieuToBanDo"
    parcel_no: str = "SoThuTuThua"
    area_declared: str = "DienTich"
    land_use: str = "KyHieuMucDichSuDung"
    address: str = "DiaChi"
    owner_type: str = ""
    encoding: str = "auto"  # auto | utf-8 | tcvn3 | vni | cp1258 | unicode
    province: str = ""  # CRS registry code used when the file carries no CRS

    def targets(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in SOURCE_LABELS if getattr(self, k)}

    def missing(self, available: Sequence[str]) -> list[str]:
        """Mapped source fields the file does not have, and required targets left unmapped."""
        have = {a.lower() for a in available}
        out = [f"{t} ← {s}" for t, s in self.targets().items() if s.lower() not in have]
        out += [f"{t} (required, not mapped)" for t in REQUIRED if not getattr(self, t)]
        return out

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> FieldMapping:
        known = {f.name for f in fields(cls)}
        return cls(**{k: str(v or "") for k, v in data.items() if k in known})


def _norm(name: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]", "", plain)


def guess_mapping(available: Sequence[str], base: Optional[FieldMapping] = None) -> FieldMapping:
    """Mapping for a file's fields: keep `base` entries that exist, else the first alias found."""
    mapping = FieldMapping(**(base.to_dict() if base else {}))
    by_norm = {_norm(a): a for a in available}
    for target, aliases in ALIASES.items():
        current = getattr(mapping, target)
        if current and _norm(current) in by_norm:
            setattr(mapping, target, by_norm[_norm(current)])
            continue
        found = next((by_norm[_norm(a)] for a in aliases if _norm(a) in by_norm), "")
        if not found:  # DBF cuts names at 10 characters: SoHieuToBanDo -> SoHieuToBa
            found = next((by_norm[k] for a in aliases for k in by_norm if len(k) >= 8 and _norm(a).startswith(k)), "")
        setattr(mapping, target, found)
    return mapping


# -- presets: one JSON file per preset in a folder the caller chooses (the QGIS profile folder in the plugin) -------
def _preset_path(folder: Path, name: str) -> Path:
    safe = re.sub(r"[^\w.-]+", "_", name.strip(), flags=re.UNICODE).strip("._") or "preset"
    return Path(folder) / f"{safe}.json"


def list_presets(folder: Path) -> list[str]:
    folder = Path(folder)
    if not folder.is_dir():
        return []
    names = []
    for p in sorted(folder.glob("*.json")):
        try:
            names.append(json.loads(p.read_text(encoding="utf-8")).get("name") or p.stem)
        except (OSError, ValueError):
            continue  # a damaged preset file must not hide the others
    return names


def save_preset(folder: Path, name: str, mapping: FieldMapping) -> Path:
    path = _preset_path(folder, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"name": name, **mapping.to_dict()}, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)  # atomic: a crash never leaves half a preset
    return path


def load_preset(folder: Path, name: str) -> FieldMapping:
    path = _preset_path(folder, name)
    if not path.is_file():
        raise KeyError(f"no field-mapping preset named '{name}' in {folder}")
    return FieldMapping.from_dict(json.loads(path.read_text(encoding="utf-8")))


def delete_preset(folder: Path, name: str) -> None:
    path = _preset_path(folder, name)
    if path.is_file():
        path.unlink()
