"""Field mapping: guessing from delivered names (also DBF-truncated), presets saved as JSON in a folder."""

from __future__ import annotations

import json

import pytest

from ioc_qgis_plugin.land.mapping import FieldMapping, guess_mapping, list_presets, load_preset, save_preset


def test_guess_full_and_truncated_names():
    m = guess_mapping(["SoHieuToBanDo", "SoThuTuThua", "DienTich", "KyHieuMucDichSuDung", "DiaChi"])
    assert (m.sheet_no, m.parcel_no, m.area_declared, m.land_use, m.address) == (
        "SoHieuToBanDo",
        "SoThuTuThua",
        "DienTich",
        "KyHieuMucDichSuDung",
        "DiaChi",
    )
    m = guess_mapping(["SOHIEUTOBA", "SOTHUTUTHU", "DIENTICH", "KYHIEUMUCD", "DIACHI"])
    assert m.sheet_no == "SOHIEUTOBA" and m.land_use == "KYHIEUMUCD" and m.address == "DIACHI"
    assert guess_mapping(["foo"]).missing(["foo"])  # nothing mapped: required fields reported


def test_presets_round_trip(tmp_path):
    m = FieldMapping(sheet_no="TO", parcel_no="THUA", land_use="MDSD", encoding="tcvn3", province="LD")
    save_preset(tmp_path, "Đà Lạt 2005", m)
    assert list_presets(tmp_path) == ["Đà Lạt 2005"]
    assert load_preset(tmp_path, "Đà Lạt 2005") == m
    (tmp_path / "broken.json").write_text("{not json")
    assert list_presets(tmp_path) == ["Đà Lạt 2005"]  # a damaged file does not hide the others
    data = json.loads(next(p for p in tmp_path.glob("*.json") if p.name != "broken.json").read_text("utf-8"))
    assert data["name"] == "Đà Lạt 2005" and data["encoding"] == "tcvn3"
    with pytest.raises(KeyError):
        load_preset(tmp_path, "missing")
