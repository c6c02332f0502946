"""Daily rotated backups through SQLite's backup API, taken while the store is in use; restore to a new file."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from ioc_qgis_plugin.store import gpkg_backup, gpkg_safety
from ioc_qgis_plugin.store.errors import StoreDamaged
from ioc_qgis_plugin.store.gpkg import GeoPackageStore


@pytest.fixture
def store(tmp_path: Path):
    s = GeoPackageStore.create(tmp_path / "ioc.gpkg")
    s.set_meta("city_name", "Đồng Xoài")
    yield s
    s.close()


def test_one_backup_a_day_rotated(store) -> None:
    day = date(2026, 11, 1)
    made = [gpkg_backup.daily_backup(store, keep=3, today=day + timedelta(days=i)) for i in range(5)]
    assert gpkg_backup.daily_backup(store, keep=3, today=day + timedelta(days=4)) is None  # already done today
    folder = store.path.with_name("ioc-backups")
    assert all(m is not None and m.parent == folder for m in made)
    assert [p.name for p in gpkg_backup.backups(store.path)] == [
        "ioc-2026-11-05.gpkg",
        "ioc-2026-11-04.gpkg",
        "ioc-2026-11-03.gpkg",
    ]
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in gpkg_backup.backups(store.path))


def test_a_backup_taken_while_another_connection_writes_is_consistent(store) -> None:
    other = GeoPackageStore.open(store.path)
    with other.transaction():  # uncommitted work of another connection is not in the backup
        other.set_meta("half", "done")
        b = gpkg_backup.daily_backup(store, today=date(2026, 11, 2))
    other.close()
    assert gpkg_safety.integrity_ok(b) == (True, "ok")
    copy = GeoPackageStore.open(b, read_only=True)
    assert copy.get_meta("city_name") == "Đồng Xoài" and copy.get_meta("half") is None
    copy.close()
    assert not Path(f"{b}-wal").exists()  # a stand-alone file


def test_restore_makes_a_new_working_file_and_leaves_the_original(store, tmp_path: Path) -> None:
    b = gpkg_backup.daily_backup(store, today=date(2026, 11, 3))
    assert gpkg_backup.last_good_backup(store.path) == b
    restored = gpkg_backup.restore_copy(b, store.path)
    assert restored.parent == store.path.parent and restored != store.path
    s = GeoPackageStore.open(restored)
    assert s.get_meta("city_name") == "Đồng Xoài"
    s.close()
    assert gpkg_backup.restore_copy(b, store.path) != restored  # never over an earlier restore


def test_a_damaged_store_is_not_backed_up_and_older_backups_stay(tmp_path: Path) -> None:
    p = tmp_path / "ioc.gpkg"
    s = GeoPackageStore.create(p)
    s.insert(
        "report_events",
        [{"report_id": f"R{i}", "at": "2024-01-01T00:00:00Z", "actor": "a", "action": "x"} for i in range(500)],
    )
    good = gpkg_backup.daily_backup(s, today=date(2026, 11, 1))
    s.close()
    from tests.unit.test_store_safety import _damage

    _damage(p, "report_events")
    s = GeoPackageStore.open(p, read_only=True)
    with pytest.raises(StoreDamaged, match="no backup was made"):
        gpkg_backup.daily_backup(s, today=date(2026, 11, 2))
    s.close()
    assert gpkg_backup.backups(p) == [good]


def test_a_snapshot_never_goes_over_its_own_store(store) -> None:
    with pytest.raises(ValueError, match="over itself"):
        store.snapshot(store.path)
    assert store.get_meta("city_name") == "Đồng Xoài"
