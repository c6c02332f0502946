"""Quality checks, planning conformity, parcel search and the parcel card (no QGIS)."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import Polygon, box

from ioc_qgis_plugin.land.card import parcel_card
from ioc_qgis_plugin.land.conformity import check_conformity, parse_allowed
from ioc_qgis_plugin.land.quality import QualityOptions, check_quality, find_overlaps
from ioc_qgis_plugin.land.search import fold, parse_sheet_parcel, search_parcels
from ioc_qgis_plugin.land.synthetic import make_sheet
from ioc_qgis_plugin.store.gpkg import GeoPackageStore


def test_each_defect_kind_with_reason():
    geoms = [
        box(0, 0, 10, 10),
        box(9, 0, 20, 10),  # overlaps #0 by 10 m²
        box(20, 0, 30, 10),  # touches #1 only along an edge: no overlap
        box(0, 10, 10, 20),
        box(10.5, 10.5, 19.5, 19.5),  # shrunk: a thin gap around it
        box(10, 20, 10.2, 30),  # 0.2 m wide sliver
        box(0, 20, 10, 30),
        box(10.2, 20, 20, 30),
        box(20, 10, 30, 20),
        Polygon([(40, 0), (50, 10), (50, 0), (40, 10)]),  # bow-tie: invalid
        box(30, 0, 40, 10),
    ]
    declared = [100, 110, 100, 100, 81, 2, 100, 98, 130, 50, 100]
    rep = check_quality(geoms, declared, QualityOptions())
    c = rep.counts()
    assert c["invalid"] == 1 and 9 in rep.repaired and rep.repaired[9].area == pytest.approx(50)
    overlaps = [i for i in rep.issues if i.kind == "overlap"]
    assert [(o.index, o.other) for o in overlaps] == [(0, 1)] and overlaps[0].value == pytest.approx(10)
    assert c["sliver"] == 1 and rep.flagged("sliver").tolist() == [5]
    area = {i.index for i in rep.issues if i.kind == "area"}
    assert area == {8}  # 100 m² declared 130
    gaps = [i for i in rep.issues if i.kind == "gap"]
    assert len(gaps) == 1 and gaps[0].value == pytest.approx(100 - 81)
    assert all(i.reason for i in rep.issues)


def test_overlaps_on_a_sheet_match_planted():
    sheet = make_sheet(2000, seed=5, defects=0.01)
    found = {i for i, j, a, g in find_overlaps(sheet.geoms)}
    # a widened parcel overlaps its right-hand neighbour unless it is the last of its row
    expected = {i for i in sheet.planted["overlap"] if (i % 100) % 10 != 9 and i + 1 < len(sheet.geoms)}
    assert expected <= found | {j - 1 for j in found}


def test_conformity_shares_and_nonconforming():
    parcels = [box(0, 0, 10, 10), box(10, 0, 20, 10), box(15, 10, 25, 20), box(100, 100, 110, 110)]
    uses = ["ODT", "SKC", "ODT", "ODT"]
    zones = [box(0, 0, 18, 30), box(18, 0, 40, 30)]
    allowed = [parse_allowed("ODT,DGT"), parse_allowed("SKC; TMD")]
    res = check_conformity(parcels, uses, zones, allowed, ["QH-01", "QH-03"])
    assert res.zone_index.tolist() == [0, 0, 1, -1]
    assert res.conforming.tolist() == [1, 0, 0, -1]
    assert res.zone_share[1] == pytest.approx(0.8) and res.zone_share[2] == pytest.approx(0.7)
    z0 = res.zones[0]
    assert z0.parcel_area == pytest.approx(100 + 80 + 30)
    assert z0.shares()["ODT"] == pytest.approx(130 / 210) and z0.nonconforming == 1
    assert "not allowed in QH-01" in res.reason(1, "SKC", ["QH-01", "QH-03"], allowed)


def test_parse_sheet_parcel_and_fold():
    assert parse_sheet_parcel("12/345") == (12, 345)
    assert parse_sheet_parcel("tờ 12 thửa 345") == (12, 345)
    assert parse_sheet_parcel("12 345") == (12, 345)
    assert parse_sheet_parcel("Hùng Vương") is None
    assert fold("Đường Nguyễn Trãi") == "duong nguyen trai"


def test_search_and_card_on_demo_city(demo_gpkg):
    store = GeoPackageStore.open(demo_gpkg)
    try:
        row = store.fetch("parcels", limit=1, order_by="fid")[0]
        hits = search_parcels(store, f"{int(row['sheet_no'])}/{int(row['parcel_no'])}")
        assert [h.fid for h in hits] == [row["fid"]]
        word = row["address"].split()[-1]
        assert search_parcels(store, fold(row["address"]))  # accent-insensitive address search
        assert all(word.casefold() in h.address.casefold() for h in search_parcels(store, word))
        card = parcel_card(store, fid=row["fid"], distance_m=5000)
        assert card.parcel["parcel_id"] == row["parcel_id"] and card.land_use_label.startswith(row["land_use"])
        assert card.area_computed_m2 == pytest.approx(row["area_declared"], rel=0.2)
        assert card.main_zone is not None and card.conforming in (True, False)
        assert card.reports and all(r["distance_m"] <= 5000 for r in card.reports)
        d = [r["distance_m"] for r in card.reports]
        assert d == sorted(d) and np.isfinite(d).all()
    finally:
        store.close()
