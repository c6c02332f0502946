"""Vietnamese user interface through Qt's translation system: i18n/ioc_vi.ts → .qm, loaded like the plugin does.

With the vi translation installed the panel and the helper-translated texts read in Vietnamese; without a
translator they stay English; every message of ioc_vi.ts is translated and keeps its source's placeholders.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QTranslator
from qgis.PyQt.QtWidgets import QPushButton

I18N = Path(__file__).resolve().parents[2] / "ioc_qgis_plugin" / "i18n"
TS = I18N / "ioc_vi.ts"
# {0}, {n}, {cell:g}, {!r}, %1, %n and HTML tags must survive translation unchanged
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\d+|%n|</?[A-Za-z][^>]*>")

TABS_EN = ["Overview", "Reports", "Cameras", "Lights", "Parcels"]
TABS_VI = ["Tổng quan", "Phản ánh", "Camera", "Chiếu sáng", "Thửa đất"]


@pytest.fixture(scope="module")
def vi_qm(tmp_path_factory) -> Path:
    """The .qm compiled from the committed .ts (so the test checks the source), else the one `make translate` built."""
    lrelease = shutil.which("lrelease")
    if lrelease:
        qm = tmp_path_factory.mktemp("i18n") / "ioc_vi.qm"
        subprocess.run([lrelease, "-silent", str(TS), "-qm", str(qm)], check=True)
        return qm
    qm = I18N / "ioc_vi.qm"
    if not qm.exists():
        pytest.skip("no lrelease and no compiled ioc_vi.qm (run `make translate`)")
    return qm


@pytest.fixture
def vi(qgis_app, vi_qm):
    translator = QTranslator()
    assert translator.load(str(vi_qm))
    QgsApplication.installTranslator(translator)
    yield translator
    QgsApplication.removeTranslator(translator)


def _dock(qgis_iface):
    from ioc_qgis_plugin.gui.panel import IocDock

    return IocDock(qgis_iface, "en")


def _tab_titles(dock) -> list[str]:
    return [dock.tabs.tabText(i) for i in range(dock.tabs.count())]


def _headers(tab) -> list[str]:
    model = tab.model
    return [model.headerData(i, 1) for i in range(model.columnCount())]  # 1 = Qt.Horizontal


def test_panel_is_vietnamese_with_the_vi_translation(vi, qgis_iface):
    dock = _dock(qgis_iface)
    try:
        assert dock.windowTitle() == "IOC – Trung tâm điều hành"
        assert _tab_titles(dock) == TABS_VI
        assert dock.store_label.text() == "Chưa mở kho dữ liệu"
        assert dock.sync_btn.text() == "Đồng bộ phản ánh"
        assert dock.reload_btn.text() == "Tải lại"
        assert "quá hạn" in dock.overview.figures["overdue"].text()
        assert "sắp đến hạn" in dock.overview.figures["due_soon"].text()
        assert _headers(dock.reports)[:3] == ["Mã", "Lĩnh vực", "Trạng thái"]
        assert "Phường/xã" in _headers(dock.cameras)
        assert _headers(dock.parcels)[:3] == ["Tờ", "Thửa", "Mục đích sử dụng đất"]
        dock.reports.update_count(3, 10)  # TableTab text, looked up under its own context for every subclass
        dock.cameras.update_count(3, 10)
        assert dock.cameras.count_label.text() == "3/10"
        assert any(b.text() == "Xem trực tiếp" for b in dock.cameras.findChildren(QPushButton))
    finally:
        dock.deleteLater()


def test_panel_stays_english_without_a_translator(qgis_iface):
    dock = _dock(qgis_iface)
    try:
        assert dock.windowTitle() == "IOC – Operations centre"
        assert _tab_titles(dock) == TABS_EN
        assert dock.store_label.text() == "No data store open"
        assert dock.sync_btn.text() == "Sync reports"
        assert "overdue" in dock.overview.figures["overdue"].text()
        assert _headers(dock.reports)[:3] == ["ID", "Category", "Status"]
        dock.cameras.update_count(3, 10)
        assert dock.cameras.count_label.text() == "3 of 10"
    finally:
        dock.deleteLater()


# Module-level tr() helpers: pylupdate5 files their texts under "@default", so that is where they must look.
HELPERS = [
    ("ioc_qgis_plugin.gui.export_dialog", "Export open data…", "Xuất dữ liệu mở…"),
    ("ioc_qgis_plugin.gui.ops_controller", "Ward briefing…", "Báo cáo tình hình phường…"),
    ("ioc_qgis_plugin.gui.ops_replay_dialog", "Replay animation", "Phát lại diễn biến"),
    ("ioc_qgis_plugin.gui.briefing_dialog", "All wards", "Tất cả phường/xã"),
    ("ioc_qgis_plugin.gui.postgis_settings", "Test connection", "Kiểm tra kết nối"),
    ("ioc_qgis_plugin.gui.lights_tab", "Switch off", "Tắt"),
    ("ioc_qgis_plugin.gui.land_controller", "Import cadastral parcels…", "Nhập thửa đất địa chính…"),
    ("ioc_qgis_plugin.gui.land_card", "No parcel here.", "Không có thửa đất tại vị trí này."),
    ("ioc_qgis_plugin.gui.land_import_dialog", "Add new parcels", "Thêm thửa mới"),
    ("ioc_qgis_plugin.gui.land_task", "Importing cadastral parcels", "Đang nhập thửa đất địa chính"),
    ("ioc_qgis_plugin.gui.tabs.cameras_tab", "Last frame", "Khung hình cuối"),
    ("ioc_qgis_plugin.gui.tabs.parcels_tab", "Area m²", "Diện tích m²"),
    ("ioc_qgis_plugin.gui.tabs.reports_tab", "Received", "Thời điểm nhận"),
    ("ioc_qgis_plugin.processing.common", "Optimized hot spot analysis", "Phân tích điểm nóng tối ưu"),
    ("ioc_qgis_plugin.processing.lights_base", "Circuits with outages", "Lộ có sự cố"),
]


@pytest.mark.parametrize("module, en, vi_text", HELPERS, ids=[h[0].rsplit(".", 1)[1] for h in HELPERS])
def test_helper_tr_finds_the_vietnamese(vi, module, en, vi_text):
    import importlib

    assert importlib.import_module(module).tr(en) == vi_text


def test_processing_names_are_vietnamese(vi, ioc_provider):
    algorithms = {a.name(): a for a in ioc_provider.algorithms()}
    assert ioc_provider.longName() == "Phân tích sự vụ IOC"
    assert algorithms["kernel_density"].displayName() == "Mật độ nhân (bản đồ nhiệt)"
    assert algorithms["report_statistics"].group() == "Phản ánh hiện trường"
    assert algorithms["light_outages"].displayName() == "Sự cố đèn theo tủ điện/lộ"
    assert algorithms["import_cadastre"].group() == "Đất đai và quy hoạch"


def _messages() -> list[tuple[str, str, ET.Element]]:
    root = ET.parse(TS).getroot()
    return [
        (context.findtext("name") or "", message.findtext("source") or "", message)
        for context in root.iter("context")
        for message in context.iter("message")
    ]


def test_every_message_is_translated_with_the_same_placeholders():
    messages = _messages()
    assert len(messages) > 300
    problems = []
    for context, source, message in messages:
        translation = message.find("translation")
        text = translation.text if translation is not None else None
        if not text or not text.strip() or translation.get("type") in ("unfinished", "obsolete", "vanished"):
            problems.append(f"{context}: untranslated {source[:60]!r}")
        elif sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
            problems.append(f"{context}: placeholders differ in {source[:60]!r} → {text[:60]!r}")
    assert not problems, "\n".join(problems)


def test_vi_json_is_sorted_and_covers_the_ts():
    import json

    raw = (I18N / "vi.json").read_text(encoding="utf-8")
    words = json.loads(raw)
    assert list(words) == sorted(words)
    assert {source for _, source, _ in _messages()} <= set(words)
