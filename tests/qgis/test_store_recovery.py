"""Issue 14 in the GUI: a failed load marks the figures stale, Reload recovers, the last good backup is offered."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from qgis.PyQt.QtWidgets import QPushButton

from ioc_qgis_plugin.gui.panel import IocDock
from ioc_qgis_plugin.gui.store_recovery import offer_backup
from ioc_qgis_plugin.store import gpkg_backup
from ioc_qgis_plugin.store.errors import StoreDamaged
from ioc_qgis_plugin.store.gpkg import GeoPackageStore
from tests.qgis.conftest import wait_tasks
from tests.unit.test_store_safety import _damage


def _load(dock: IocDock, path: Path) -> None:
    dock.load(lambda: GeoPackageStore.open(path, read_only=True))
    wait_tasks()


def test_failed_load_marks_figures_stale_and_reload_recovers(qgis_iface, demo_copy: Path, tmp_path: Path) -> None:
    healthy = GeoPackageStore.copy_file(demo_copy, tmp_path / "healthy.gpkg")
    dock = IocDock(qgis_iface, "en")
    _load(dock, demo_copy)
    assert dock.loaded_at is not None and dock.overview.stale_label.isHidden()
    shown = dock.overview.figures["open"].text()
    _damage(demo_copy, "field_reports")
    _load(dock, demo_copy)
    label = dock.store_label.text()
    assert "Could not load" in label and str(demo_copy) in label and "backups" in label
    assert not dock.overview.stale_label.isHidden()
    assert dock.overview.stale_label.text().startswith("Data as of ")
    assert "italic" in dock.overview.figures["open"].styleSheet()
    assert dock.overview.figures["open"].text() == shown  # old numbers stay, but marked
    # the administrator puts a healthy file back (no connection is open): Reload shows current figures again
    demo_copy.write_bytes(healthy.read_bytes())
    _load(dock, demo_copy)
    assert dock.overview.stale_label.isHidden() and "italic" not in dock.overview.figures["open"].styleSheet()
    assert "Could not load" not in dock.store_label.text()
    dock.deleteLater()


def test_damaged_store_offers_the_last_good_backup(qgis_iface, demo_copy: Path) -> None:
    store = GeoPackageStore.open(demo_copy)
    backup = gpkg_backup.daily_backup(store, today=date(2026, 11, 28))
    store.close()
    _damage(demo_copy, "field_reports")
    opened: list[str] = []
    bar = qgis_iface.messageBar()
    assert offer_backup(qgis_iface, str(demo_copy), StoreDamaged(f"{demo_copy} is damaged"), opened.append)
    buttons = [b for b in bar.currentItem().findChildren(QPushButton) if "backup" in b.text()]
    assert buttons and "2026-11-28" in buttons[0].text()
    buttons[0].click()
    assert len(opened) == 1 and Path(opened[0]).parent == demo_copy.parent and opened[0] != str(demo_copy)
    s = GeoPackageStore.open(opened[0])
    assert s.count("field_reports") > 0
    s.close()
    assert backup.exists()


def test_plugin_reload_reopens_a_store_that_saw_damage(plugin, demo_copy: Path, tmp_path: Path) -> None:
    healthy = GeoPackageStore.copy_file(demo_copy, tmp_path / "healthy.gpkg")
    assert plugin.open_gpkg(str(demo_copy), add_layers=False)
    wait_tasks()
    first = plugin.store
    first.close()  # nobody holds the file while the "disk" damages it
    _damage(demo_copy, "field_reports")
    first.conn = GeoPackageStore._connect(first.path, "rw")
    with pytest.raises(StoreDamaged):
        first.fetch("field_reports")
    with pytest.raises(StoreDamaged):  # the card's save is refused: nothing is written to a damaged file
        first.update_report(first.fetch("report_events", limit=1)[0]["report_id"], {}, actor="desk", note="x")
    first.conn.close()
    demo_copy.write_bytes(healthy.read_bytes())  # the administrator restores the file
    first.conn = GeoPackageStore._connect(first.path, "rw")
    plugin.reload()
    wait_tasks()
    assert plugin.store is not first and not plugin.store.damaged
    assert plugin.store.count("field_reports") > 0
