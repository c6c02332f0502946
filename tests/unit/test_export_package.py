"""File package: no personal data in any byte of any file, byte-identical repeats, readable by GDAL, metadata."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ioc_qgis_plugin.export import publog
from ioc_qgis_plugin.export.package import DatasetInfo
from ioc_qgis_plugin.export.policy import LocationRule, Policy
from ioc_qgis_plugin.export.publish import run_export
from ioc_qgis_plugin.export.select import Selection, preview_rows, read_selection
from ioc_qgis_plugin.store.gpkg import GeoPackageStore

KEY = "package-test-city-secret-01"
HIDDEN = [
    "liên hệ 0912 345 678",
    "gọi +84 98.765.4321 gặp anh Tuấn",
    "Tôi là Lê Thị Hoa, CCCD 079123456789",
    "email: hoa.le@gmail.com",
    "ĐT bàn (0251) 3822 123",
]


@pytest.fixture(scope="module")
def store_path(demo_gpkg, tmp_path_factory) -> Path:
    """Demo city plus reports with personal data hidden in free text in many formats."""
    path = tmp_path_factory.mktemp("exp") / "ioc.gpkg"
    GeoPackageStore.copy_file(demo_gpkg, path)  # backup API, never a file copy of a store
    store = GeoPackageStore.open(path)
    rows = store.fetch("field_reports", order_by="fid", limit=len(HIDDEN))
    for row, text in zip(rows, HIDDEN):
        store._execute(
            "UPDATE field_reports SET description = ?, status_notes = ? WHERE report_id = ?",
            (row["description"] + ". " + text, "Đã gọi lại " + text, row["report_id"]),
        )
    store.close()
    return path


def _personal(store: GeoPackageStore) -> tuple[set[str], list[tuple[float, float]]]:
    rows = store.fetch("field_reports", columns=["reporter_name", "reporter_phone", "reporter_email", "lon", "lat"])
    secrets = {r[k] for r in rows for k in ("reporter_name", "reporter_phone", "reporter_email") if r[k]}
    secrets |= {"0912 345 678", "98.765.4321", "Lê Thị Hoa", "079123456789", "hoa.le@gmail.com", "3822 123", "Tuấn"}
    return secrets, [(r["lon"], r["lat"]) for r in rows]


def _export(store_path: Path, out: Path, **kw) -> list:
    store = GeoPackageStore.open(store_path)
    try:
        info = DatasetInfo(name="phan-anh-hien-truong", title="Phản ánh hiện trường", keywords=["IOC", "phản ánh"])
        res = run_export(
            store,
            Selection(tables=("field_reports", "wards")),
            kw.pop("policy", Policy(id_secret=KEY)),
            info,
            out,
            **kw,
        )
        return res.distributions
    finally:
        store.close()


def test_no_personal_data_in_any_file(store_path: Path, tmp_path: Path) -> None:
    dists = _export(store_path, tmp_path / "pkg")
    store = GeoPackageStore.open(store_path)
    secrets, points = _personal(store)
    store.close()
    blob = b"".join(p.read_bytes() for p in sorted((tmp_path / "pkg").iterdir()))
    assert len(dists) == 6
    found = [s for s in secrets if s.encode("utf-8") in blob]
    assert not found, found[:5]
    text = blob.decode("utf-8", errors="replace")
    assert not re.search(r"\b0[35789]\d{8}\b", text)  # any mobile number left anywhere
    assert not re.search(r"[\w.]+@[\w-]+\.(?:vn|com)\b", text)
    # exact locations: not one original coordinate pair survives (grid snap to 250 m cell centres)
    exact = {f"{lon!r},{lat!r}" for lon, lat in points[:500]}
    assert not any(e.encode() in blob for e in exact)


def test_repeat_export_is_byte_identical(store_path: Path, tmp_path: Path) -> None:
    a = _export(store_path, tmp_path / "a")
    b = _export(store_path, tmp_path / "b")
    for x, y in zip(a, b):
        assert x.path.read_bytes() == y.path.read_bytes(), x.path.name
    assert (tmp_path / "a" / "SHA256SUMS").read_bytes() == (tmp_path / "b" / "SHA256SUMS").read_bytes()


def test_package_contents_and_metadata(store_path: Path, tmp_path: Path) -> None:
    from osgeo import ogr

    _export(
        store_path, tmp_path / "p", policy=Policy(location=LocationRule(method="kanon", cell_m=200, k=5), id_secret=KEY)
    )
    meta = json.loads((tmp_path / "p" / "phan-anh-hien-truong.metadata.json").read_text(encoding="utf-8"))
    for key in ("title", "description", "license", "crs", "spatial", "temporal", "source", "contactPoint", "keyword"):
        assert key in meta
    assert meta["records"]["field_reports"] == 3000
    assert meta["temporal"]["startDate"] < meta["temporal"]["endDate"]
    assert meta["anonymisation"]["field_reports"]["reporter_phone"] == "drop"
    assert meta["anonymisation"]["field_reports"]["(location)"] == "kanon"
    names = {d["downloadURL"] for d in meta["distribution"]}
    assert "phan-anh-hien-truong.gpkg" in names and all(
        len(d["checksum"]["checksumValue"]) == 64 for d in meta["distribution"]
    )
    ds = ogr.Open(str(tmp_path / "p" / "phan-anh-hien-truong.gpkg"))
    assert ds.GetLayerByName("field_reports").GetFeatureCount() == 3000
    assert ds.GetLayerByName("wards").GetFeatureCount() > 0
    gj = json.loads((tmp_path / "p" / "phan-anh-hien-truong-field_reports.geojson").read_text(encoding="utf-8"))
    assert len(gj["features"]) == 3000 and "reporter_name" not in gj["features"][0]["properties"]


def test_preview_is_what_is_written_and_filters(store_path: Path, tmp_path: Path) -> None:
    store = GeoPackageStore.open(store_path)
    sel = Selection(tables=("field_reports",), statuses=("closed",), start="2026-01-01", end="2026-07-01")
    tables = read_selection(store, sel, Policy(id_secret=KEY))
    header, rows = preview_rows(tables[0], limit=5)
    store.close()
    assert header[-2:] == ["lon", "lat"] and "reporter_phone" not in header
    assert all(r[header.index("status")] == "closed" for r in rows)
    assert all("2026-01-01" <= r[header.index("requested_at")] < "2026-07-01" for r in rows)
    _, all_rows = preview_rows(tables[0], limit=10**9)
    csv_lines = _write_one(tables, tmp_path).read_text(encoding="utf-8-sig").strip().split("\n")[1:]
    assert len(csv_lines) == len(all_rows)


def _write_one(tables, tmp_path: Path) -> Path:
    from ioc_qgis_plugin.export.package import write_csv

    p = tmp_path / "one.csv"
    write_csv(tables[0], p)
    return p


def test_publish_log_records_each_run(store_path: Path, tmp_path: Path) -> None:
    _export(store_path, tmp_path / "l", who="data.officer", log_file=tmp_path / "log.jsonl")
    store = GeoPackageStore.open(store_path)
    log = publog.read(store)
    store.close()
    last = log[-1]
    assert last["who"] == "data.officer" and last["target"] == "file" and last["result"] == "ok"
    assert "phan-anh-hien-truong.gpkg" in last["files"]
    # why removed, per field, counts only (the hidden phones, names, e-mails and ID above are in the description)
    why = last["removed"]["field_reports"]
    assert why["description"]["phone"] >= 3 and why["description"]["email"] >= 1 and why["description"]["name"] >= 2
    assert why["status_notes"]["id_number"] >= 1
    assert not re.search(r"\d{9}|@gmail", json.dumps(last["removed"], ensure_ascii=False))
    assert not last["removed"]["wards"]  # "Đồng Nai" is a province from the gazetteer, not a person
    assert json.loads((tmp_path / "log.jsonl").read_text().splitlines()[-1])["dataset"] == "phan-anh-hien-truong"
