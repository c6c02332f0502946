"""Export dialog (preview = what leaves, publish as a QgsTask), controller unload, and ioc:export_open_data."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsApplication

from ioc_qgis_plugin.store.gpkg import GeoPackageStore
from tests.support.waiting import wait_until


def _wait(predicate, timeout: float = 20.0) -> None:  # noqa: ANN001
    wait_until(predicate, timeout)


def test_dialog_preview_and_publish(qgis_app, demo_copy: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from ioc_qgis_plugin.gui.export_dialog import ExportController

    monkeypatch.setenv("IOC_EXPORT_ID_SECRET", "gui-test-city-secret-00001")
    ctrl = ExportController(None, lambda: GeoPackageStore.open(demo_copy))
    assert [a.text() for a in ctrl.actions()] == ["Export open data…"]
    dlg = ctrl.open_dialog()
    dlg.statuses.setText("closed")
    # the button, as a user clicks it (clicked(bool) once passed False as the row limit: an empty preview)
    dlg.preview_button.click()
    assert dlg.preview_task is not None and not dlg.preview_button.isEnabled()  # runs as a task, GUI stays live
    _wait(lambda: dlg.preview_task is None)
    assert dlg.preview.rowCount() == 200, dlg.status.text()
    dlg.show_preview(limit=20)
    _wait(lambda: dlg.preview_task is None)
    header = [dlg.preview.horizontalHeaderItem(i).text() for i in range(dlg.preview.columnCount())]
    assert "reporter_phone" not in header and "description" in header and header[-2:] == ["lon", "lat"]
    assert dlg.preview.rowCount() == 20
    col = header.index("status")
    assert {dlg.preview.item(r, col).text() for r in range(20)} == {"closed"}
    ids = {dlg.preview.item(r, header.index("report_id")).text() for r in range(20)}
    assert all(i.startswith("r-") for i in ids)  # keyed pseudonyms, not the Open311 ids
    # scrubbed spans are highlighted: cell background, tooltip, and marked spans in the detail view
    dlg.statuses.setText("")
    dlg.show_preview(limit=400)
    _wait(lambda: dlg.preview_task is None)
    desc = header.index("description")
    marked = [r for r in range(dlg.preview.rowCount()) if "[số điện thoại]" in dlg.preview.item(r, desc).text()]
    assert marked, dlg.status.text()
    item = dlg.preview.item(marked[0], desc)
    assert item.background().color().name() == "#ffec99" and "phone" in item.toolTip()
    dlg.preview.setCurrentCell(marked[0], desc)
    assert (
        "background:#ffec99" in dlg.preview_detail.toHtml().replace(" ", "") or "ffec99" in dlg.preview_detail.toHtml()
    )
    assert "highlighted" in dlg.status.text()
    dlg.out_dir.setText(str(tmp_path / "pkg"))
    dlg.publish()
    _wait(lambda: dlg.result_ is not None or "Not published" in dlg.status.text())
    assert dlg.result_ is not None, dlg.status.text()
    assert (tmp_path / "pkg" / "phan-anh-hien-truong.gpkg").is_file()
    assert "Published" in dlg.status.text()
    ctrl.unload()
    assert ctrl.dialog is None


def test_processing_algorithm_runs(qgis_app, demo_copy: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import processing

    monkeypatch.setenv("IOC_EXPORT_ID_SECRET", "processing-test-secret-01")
    from processing.core.Processing import Processing

    from ioc_qgis_plugin.processing.provider import IocProcessingProvider

    Processing.initialize()
    registry = QgsApplication.processingRegistry()
    added = registry.providerById("ioc") is None
    if added:
        registry.addProvider(IocProcessingProvider())
    try:
        assert registry.algorithmById("ioc:export_open_data") is not None
        out = processing.run(
            "ioc:export_open_data",
            {"STORE": str(demo_copy), "TABLES": "field_reports,wards", "OUTPUT": str(tmp_path / "p"), "NAME": "ds"},
        )
        assert (tmp_path / "p" / "ds.gpkg").is_file() and "files written" in out["MESSAGE"]
    finally:
        if added:
            registry.removeProvider("ioc")


def test_dialog_speaks_to_people_not_in_identifiers(qgis_app, demo_copy: Path) -> None:  # noqa: ANN001
    """Issue 21 items 12/13: table names, targets, actions and dates in words; ward/category/status pickers;
    no stray text box over the target form."""
    from qgis.PyQt.QtWidgets import QLineEdit

    from ioc_qgis_plugin.gui.export_dialog import ExportDialog

    dlg = ExportDialog(lambda: GeoPackageStore.open(demo_copy))
    shown_tables = [dlg.tables.item(i).text() for i in range(dlg.tables.count())]
    assert "field_reports" not in shown_tables and "Field reports" in shown_tables
    assert all("_" not in t for t in shown_tables)
    assert dlg.target.currentText() != dlg.target.currentData()
    assert dlg.start.displayFormat() != "yyyy-MM-dd"
    # pickers: the demo's wards by name, categories and statuses by label; nothing checked = all
    assert dlg.wards.count() > 0 and dlg.wards.itemText(0) != dlg.wards.itemData(0)
    assert dlg.selection().ward_ids == [] and dlg.selection().statuses == []
    dlg.statuses.setText("closed,resolved")
    dlg.wards.setItemCheckState(0, 2)
    sel = dlg.selection()
    assert sorted(sel.statuses) == ["closed", "resolved"] and sel.ward_ids == [dlg.wards.itemData(0)]
    assert sel.tables == ["field_reports"]
    # the rule table shows words; the policy still gets the identifiers
    assert dlg.rules.item(0, 0).text() != dlg.rules.item(0, 0).data(0x0100)
    assert dlg.policy().location.method in ("grid", "kanon", "exact", "drop")
    # no visible line edit sits unmanaged in the target tab
    target_tab = dlg.tabs.widget(2)
    stray = [
        e
        for e in target_tab.findChildren(QLineEdit)
        if e.isVisibleTo(target_tab) and target_tab.layout().indexOf(e) < 0
    ]
    stray = [e for e in stray if e.parent() is target_tab]
    assert stray == []
