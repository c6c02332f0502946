"""Ward briefing PDFs for the demo city: pages, Vietnamese text, figures, and bad input turned into notes."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from ioc_qgis_plugin.briefing.figures import compute_briefing
from ioc_qgis_plugin.core.timeutil import CITY_TZ
from ioc_qgis_plugin.store.gpkg import GeoPackageStore

DAY = date(2026, 11, 19)  # the demo fixture's history ends 2026-11-20T00:00Z
NOW = datetime(2026, 11, 20, 7, 0, tzinfo=CITY_TZ).timestamp()

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def pdf_text(path: Path, page: int | None = None) -> str:
    args = ["pdftotext", "-layout"] + (["-f", str(page), "-l", str(page)] if page else []) + [str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def briefing(gpkg: Path, wards=None, day=DAY, days=7):  # noqa: ANN001, ANN201
    store = GeoPackageStore.open(gpkg)
    try:
        return compute_briefing(store, day, wards, now=NOW, days=days)
    finally:
        store.close()


@pytest.fixture(scope="module")
def all_wards(demo_gpkg, tmp_path_factory):
    from ioc_qgis_plugin.briefing.layout import export_all

    b = briefing(demo_gpkg)
    out = tmp_path_factory.mktemp("briefing")
    return b, export_all(b, out)


def test_one_page_per_ward_and_per_ward_files(all_wards):
    b, files = all_wards
    combined = [f for f in files if f.name.startswith("bao-cao-phuong-")]
    assert len(combined) == 1 and len(files) == len(b.wards) + 1
    assert pdf_pages(combined[0]) == len(b.wards) == 10
    for f in files:
        assert f.stat().st_size > 10_000
    assert all(pdf_pages(f) == 1 for f in files if f not in combined)


def test_text_is_vietnamese_with_the_right_figures(all_wards, demo_gpkg):
    b, files = all_wards
    busiest = max(b.wards, key=lambda w: (w.overdue, w.received))
    text = pdf_text(next(f for f in files if f.name == f"bao-cao-{busiest.ward_id}-2026-11-19.pdf"))
    for label in (
        "Báo cáo tình hình phường",
        "Tiếp nhận trong kỳ",
        "Xử lý đúng hạn",
        "Quá hạn",
        "Chú giải",
        "Phản ánh quá hạn lâu nhất",
        "từ 13/11/2026 đến 19/11/2026",
        "Đèn lỗi / tổng",
    ):
        assert label in text, label
    assert busiest.name.replace("Phường ", "") in text
    # figures against a direct count in the GeoPackage
    lo_utc, hi_utc = "2026-11-12T17:00:00", "2026-11-19T17:00:00"  # 13/11 00:00 → 20/11 00:00, UTC+7
    con = sqlite3.connect(demo_gpkg)
    received = con.execute(
        "SELECT count(*) FROM field_reports WHERE ward_id = ? AND requested_at >= ? AND requested_at < ?",
        (busiest.ward_id, lo_utc, hi_utc),
    ).fetchone()[0]
    faults = con.execute(
        "SELECT count(*) FROM street_lights WHERE ward_id = ? AND state = 'fault'", (busiest.ward_id,)
    ).fetchone()[0]
    con.close()
    assert busiest.received == received
    assert busiest.lights_fault == faults
    assert busiest.top_overdue, "the demo city's busiest ward has overdue reports"
    for row in busiest.top_overdue:
        assert row.report_id in text and row.due in text
    assert f"({len(busiest.top_overdue)} / {busiest.overdue})" in text


def test_ward_without_geometry_and_empty_period_give_notes(demo_copy, tmp_path):
    from ioc_qgis_plugin.briefing.layout import export_all

    store = GeoPackageStore.open(demo_copy)  # its connection has the GeoPackage SQL functions the triggers need
    store._execute("UPDATE wards SET geom = NULL WHERE ward_id = 'W03'")
    store.close()
    b = briefing(demo_copy, ["W03"], day=date(2020, 1, 1), days=1)
    files = export_all(b, tmp_path, combined=True, per_ward=False)
    assert pdf_pages(files[0]) == 1
    text = pdf_text(files[0])
    assert "chưa có ranh giới" in text
    assert "Không có bản đồ" in text
    assert "Không có phản ánh nào ngày 01/01/2020" in text
    assert "Không có phản ánh quá hạn." in text


def test_command_line(demo_gpkg, tmp_path):
    env_py = sys.executable
    res = subprocess.run(
        [
            env_py,
            "-m",
            "ioc_qgis_plugin.briefing",
            "--gpkg",
            str(demo_gpkg),
            "--out",
            str(tmp_path),
            "--ward",
            "W02",
            "--date",
            "2026-11-19",
            "--no-combined",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    out = tmp_path / "bao-cao-W02-2026-11-19.pdf"
    assert out.exists() and pdf_pages(out) == 1
    assert "ngày 19/11/2026" in pdf_text(out)
    bad = subprocess.run(
        [env_py, "-m", "ioc_qgis_plugin.briefing", "--gpkg", str(demo_gpkg), "--out", str(tmp_path), "--ward", "ZZ"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "no ward" in bad.stderr


def test_briefing_texts_and_legend_read_plainly(demo_gpkg):
    """Issue 21 items 11/12: "cameras offline / total" like the lights figure, whole days without ",0" beyond ten
    days, and "camera active" and "state unknown" drawn differently."""
    from ioc_qgis_plugin.briefing.figures import fmt_duration
    from ioc_qgis_plugin.briefing.layout import KEY_FIGURES, build_layers

    assert fmt_duration(472 * 24) == "472 ngày" and fmt_duration(1500 * 24) == "1.500 ngày"
    assert fmt_duration(3.5 * 24) == "3,5 ngày" and fmt_duration(5) == "5 giờ"
    captions = dict((k, c) for k, c, _ in KEY_FIGURES)
    assert captions["cameras"] == "Camera mất kết nối / tổng"
    b = briefing(demo_gpkg)
    coverage, _table, map_layers = build_layers(b)
    w = b.wards[0]
    feat = next(f for f in coverage.getFeatures() if f["ward_id"] == w.ward_id)
    assert feat["cameras"] == (f"{w.cameras_offline}/{w.cameras}" if w.cameras else "—")
    categories = map_layers[0].renderer().categories()  # keep the copies alive while their symbols are read
    looks = set()
    for cat in categories:
        layer = cat.symbol().symbolLayer(0)
        looks.add((layer.color().name(), layer.strokeColor().name(), int(layer.shape())))
    assert len(looks) == len(categories) == 3
