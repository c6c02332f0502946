"""Report history and ids as published: public fields only, scrubbed, coarse coordinates, keyed pseudonyms."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ioc_qgis_plugin.export.policy import REAL_IDS_RISK, Policy, PolicyError
from ioc_qgis_plugin.export.select import Selection, read_selection
from ioc_qgis_plugin.store.gpkg import GeoPackageStore

KEY = "history-test-city-secret-1"


@pytest.fixture()
def store_path(demo_gpkg, tmp_path: Path) -> Path:
    path = tmp_path / "ioc.gpkg"
    shutil.copy(demo_gpkg, path)
    store = GeoPackageStore.open(path)
    rid = store.fetch("field_reports", order_by="fid", limit=1)[0]["report_id"]
    store.update_report(rid, {"reporter_name": "Trần Văn Bảy"}, actor="desk")
    store.update_report(rid, {"lat": 10.973182, "lon": 107.2511234}, actor="desk")
    store.update_report(rid, {"assigned_to": "Cán bộ Lê Thị Mai"}, actor="desk")
    store.update_report(rid, {"address": "nhà số 12 đường Hùng Vương, tổ 5"}, actor="desk")
    store.update_report(rid, {"description": "gọi anh Tuấn 0912 345 678"}, actor="desk")
    store.set_meta("test.first_id", rid)
    store.close()
    return path


def _events(path: Path, policy: Policy) -> tuple[str, list[dict]]:
    store = GeoPackageStore.open(path)
    try:
        rid = store.get_meta("test.first_id")
        (t,) = read_selection(store, Selection(tables=("report_events",)), policy)
    finally:
        store.close()
    rows = [dict(zip(t.columns, r)) for r in t.rows]
    return rid, rows


def test_history_keeps_only_public_changes_scrubbed(store_path: Path) -> None:
    policy = Policy(id_secret=KEY)
    rid, rows = _events(store_path, policy)
    mine = [r for r in rows if r["report_id"] == policy.public_id(rid)]
    text = repr(rows)
    assert rid not in text and "actor" not in (mine[0] if mine else {})
    for secret in ("Trần Văn Bảy", "Lê Thị Mai", "0912", "Tuấn", "10.973182", "107.2511234", "nhà số 12"):
        assert secret not in text, secret
    actions = {r["action"] for r in mine}
    assert "edit:reporter_name" not in actions and "edit:assigned_to" not in actions
    assert {"edit:address", "edit:description", "edit:lat", "edit:lon"} <= actions
    lat = next(r for r in mine if r["action"] == "edit:lat")
    assert lat["new_value"] == "10.97"  # 250 m grid → 0.01° (~1.1 km), never finer than the published location
    addr = next(r for r in mine if r["action"] == "edit:address")
    assert "Hùng Vương" in addr["new_value"] and "12" not in addr["new_value"]
    assign = [r for r in mine if r["action"] == "assign"]
    assert assign and all(r["old_value"] is None and r["new_value"] is None for r in assign)


def test_ids_are_stable_keyed_pseudonyms(store_path: Path) -> None:
    a, b, other = Policy(id_secret=KEY), Policy(id_secret=KEY), Policy(id_secret=KEY + "x")
    assert a.public_id("PA-000001") == b.public_id("PA-000001") != other.public_id("PA-000001")
    assert a.public_id("PA-000001").startswith("r-") and "000001" not in a.public_id("PA-000001")
    store = GeoPackageStore.open(store_path)
    try:
        (t,) = read_selection(store, Selection(tables=("field_reports",), limit=50), a)
        (again,) = read_selection(store, Selection(tables=("field_reports",), limit=50), b)
    finally:
        store.close()
    ids = [r[t.columns.index("report_id")] for r in t.rows]
    assert all(i.startswith("r-") for i in ids) and ids == [r[0] for r in again.rows]
    assert ids == sorted(ids)  # pseudonym order: the rank of the sequential real id is not published


def test_no_secret_or_unconfirmed_real_ids_refused(store_path: Path) -> None:
    store = GeoPackageStore.open(store_path)
    try:
        with pytest.raises(PolicyError, match="IOC_EXPORT_ID_SECRET"):
            read_selection(store, Selection(tables=("field_reports",), limit=5), Policy())
        with pytest.raises(PolicyError, match="Open311"):
            read_selection(store, Selection(tables=("field_reports",), limit=5), Policy(id_mode="real"))
        (t,) = read_selection(
            store, Selection(tables=("field_reports",), limit=5), Policy(id_mode="real", real_ids_confirmed=True)
        )
        assert t.rows[0][0].startswith("PA-") and t.actions["report_id"] == "keep (real id)"
        (w,) = read_selection(store, Selection(tables=("wards",)), Policy())  # no ids, no secret needed
        assert len(w) > 0
    finally:
        store.close()


def test_cli_real_ids_need_confirmation(store_path: Path, tmp_path: Path) -> None:
    import os

    args = [sys.executable, "-m", "ioc_qgis_plugin.export", "--gpkg", str(store_path), "--name", "xx", "--title", "X"]
    args += ["--out", str(tmp_path / "o"), "--real-ids"]
    env = {k: v for k, v in os.environ.items() if k != "IOC_EXPORT_ID_SECRET"}
    res = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 2 and "Open311" in res.stderr and REAL_IDS_RISK[:40] in res.stderr
    res = subprocess.run([*args, "--confirm-real-ids"], env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    missing = subprocess.run(args[:-1], env=env, capture_output=True, text=True, timeout=300)
    assert missing.returncode == 2 and "IOC_EXPORT_ID_SECRET" in missing.stderr
