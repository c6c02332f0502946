"""IOC ▸ "Add cameras from ONVIF…": find cameras (WS-Discovery on the local segment, or typed addresses), read
their profiles with a login from QGIS's auth manager, choose main/sub streams, place them, save them to the store.

Network work (discovery, SOAP calls) and the store write run in QgsTasks that can be cancelled; the GUI thread
only resolves the authcfg (the auth manager lives there) and fills the table. The camera rows get stream_url,
substream_url, snapshot_url, onvif_url and the authcfg id: never a user name or password in a URL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsPointXY,
    QgsProject,
    QgsTask,
)
from qgis.PyQt.QtCore import QCoreApplication, QObject, Qt, pyqtSignal
from qgis.PyQt.QtNetwork import QAbstractSocket, QNetworkInterface
from qgis.PyQt.QtWidgets import (
    QAction,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..connectors.cameras import has_credentials, mask_text
from ..connectors.onvif import OnvifAuthError, OnvifClient, OnvifError, OnvifProfile, normalise_device_url
from ..connectors.wsdiscovery import MULTICAST_GROUP, PORT, DiscoveredDevice, discover
from .camera_auth import CredentialError, resolve_credentials
from .messages import log
from .tasks import FunctionTask, run_task

COLUMNS = ("use", "device", "address", "main", "sub", "camera_id", "name", "lon", "lat", "status")


def tr(text: str) -> str:
    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    return QCoreApplication.translate("@default", text)


@dataclass
class DeviceRow:
    """One camera in the table: where it answers and what it offers."""

    device_url: str
    name: str = ""
    endpoint: str = ""
    profiles: list[OnvifProfile] = field(default_factory=list)
    info: dict[str, str] = field(default_factory=dict)
    error: str = ""


def read_device(url: str, user: str, password: str, timeout: float) -> DeviceRow:
    """Profiles with stream/snapshot URIs and the device information of one device (runs in a task)."""
    row = DeviceRow(url)
    try:
        with OnvifClient(url, user, password, timeout=timeout) as client:
            row.profiles = client.discover()
            try:
                row.info = client.device_info()
            except OnvifAuthError:
                raise
            except OnvifError:  # optional for our purpose
                row.info = {}
    except OnvifError as exc:
        row.error = str(exc)
    return row


def default_camera_id(row: DeviceRow) -> str:
    serial = (row.info.get("SerialNumber") or "").strip()
    if serial:
        return serial
    from urllib.parse import urlsplit

    parts = urlsplit(row.device_url)
    return f"ONVIF-{parts.hostname}" + (f"-{parts.port}" if parts.port else "")


def save_cameras(store: Any, rows: list[dict], points: list[tuple[float, float]]) -> int:
    """Insert the camera rows in one transaction; refuses (and writes nothing) when an id already exists."""
    from shapely.geometry import Point

    ids = [r["camera_id"] for r in rows]
    existing = set()
    for cid in ids:
        if store.count("cameras", "camera_id = ?", (cid,)):
            existing.add(cid)
    if existing:
        raise ValueError(tr("camera id already in the store: {0}").format(", ".join(sorted(existing))))
    geoms = [Point(lon, lat) for lon, lat in points]
    try:  # the ward each camera stands in, when the store has wards
        wards = store.fetch("wards", columns=["ward_id"], geometry=True)
        for row, geom in zip(rows, geoms):
            row.setdefault(
                "ward_id", next((w["ward_id"] for w in wards if w["geom"] and w["geom"].contains(geom)), None)
            )
    except Exception as exc:  # noqa: BLE001 - a ward is a convenience, not a reason to lose the cameras
        log(f"ONVIF cameras: ward lookup skipped ({type(exc).__name__})", "info")
    with store.transaction():
        store.insert("cameras", rows, geometries=geoms)
    return len(rows)


class OnvifDialog(QDialog):
    cameras_added = pyqtSignal(list)  # camera ids

    def __init__(self, iface: Any, store_factory: Callable[[], Any], parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.iface = iface
        self.store_factory = store_factory
        self.discovery_target: tuple[str, int] = (MULTICAST_GROUP, PORT)  # tests aim at a local responder
        self.discovery_timeout = 3.0
        self.call_timeout = 5.0
        self.devices: list[DeviceRow] = []
        self.task: Optional[QgsTask] = None
        self._map_tool = None
        self._previous_tool = None
        self.setWindowTitle(tr("Add cameras from ONVIF"))
        self.resize(980, 560)
        layout = QVBoxLayout(self)

        find = QGroupBox(tr("Find cameras"), self)
        form = QFormLayout(find)
        self.interface = QComboBox(find)
        self.interface.addItem(tr("Automatic"), "")
        for address in QNetworkInterface.allAddresses():
            if address.protocol() == QAbstractSocket.IPv4Protocol:
                self.interface.addItem(address.toString(), address.toString())
        self.search_button = QPushButton(tr("Search the local network"), find)
        self.search_button.clicked.connect(self.search)
        row = QHBoxLayout()
        row.addWidget(self.interface, 1)
        row.addWidget(self.search_button)
        form.addRow(tr("Network interface"), row)
        self.address = QLineEdit(find)
        self.address.setPlaceholderText(tr("IP address, host:port or http://…/onvif/device_service"))
        self.address.returnPressed.connect(self.add_address)
        self.add_button = QPushButton(tr("Add address"), find)
        self.add_button.clicked.connect(self.add_address)
        row = QHBoxLayout()
        row.addWidget(self.address, 1)
        row.addWidget(self.add_button)
        form.addRow(tr("Camera address"), row)
        try:
            from qgis.gui import QgsAuthConfigSelect

            self.auth = QgsAuthConfigSelect(find)
        except ImportError:  # pragma: no cover - qgis.gui is always there in the desktop
            self.auth = None
        if self.auth is not None:
            form.addRow(tr("Camera login"), self.auth)
        layout.addWidget(find)

        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(
            [
                tr("Add"),
                tr("Device"),
                tr("Address"),
                tr("Main stream"),
                tr("Sub-stream"),
                tr("Camera id"),
                tr("Name"),
                tr("Longitude"),
                tr("Latitude"),
                tr("Status"),
            ]
        )
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QTableWidget.SelectRows)
        layout.addWidget(self.table, 1)

        defaults = QHBoxLayout()
        self.bearing = self._spin(0, 360, 0, "°")
        self.angle = self._spin(1, 360, 60, "°")
        self.range_m = self._spin(1, 5000, 80, " m")
        for label, spin in ((tr("Bearing"), self.bearing), (tr("View angle"), self.angle), (tr("Range"), self.range_m)):
            defaults.addWidget(QLabel(label, self))
            defaults.addWidget(spin)
        self.pick_button = QPushButton(tr("Place selected camera on the map"), self)
        self.pick_button.setCheckable(True)
        self.pick_button.toggled.connect(self._pick_toggled)
        defaults.addStretch(1)
        defaults.addWidget(self.pick_button)
        layout.addLayout(defaults)

        buttons = QHBoxLayout()
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.read_button = QPushButton(tr("Read profiles"), self)
        self.read_button.clicked.connect(self.read_profiles)
        self.cancel_button = QPushButton(tr("Cancel"), self)
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.save_button = QPushButton(tr("Save cameras"), self)
        self.save_button.clicked.connect(self.save)
        close = QPushButton(tr("Close"), self)
        close.clicked.connect(self.close)
        buttons.addWidget(self.status, 1)
        for b in (self.read_button, self.cancel_button, self.save_button, close):
            buttons.addWidget(b)
        layout.addLayout(buttons)

    def _spin(self, low: float, high: float, value: float, suffix: str) -> QDoubleSpinBox:
        spin = QDoubleSpinBox(self)
        spin.setRange(low, high)
        spin.setDecimals(0)
        spin.setValue(value)
        spin.setSuffix(suffix)
        return spin

    # -- state -----------------------------------------------------------------------------------------------
    def _busy(self, text: str, task: Optional[QgsTask]) -> None:
        self.task = task
        running = task is not None
        for b in (self.search_button, self.add_button, self.read_button, self.save_button):
            b.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.status.setText(text)

    def _start(self, text: str, description: str, work, done) -> QgsTask:  # noqa: ANN001
        task = FunctionTask(description, work, done, self._failed)
        task.taskTerminated.connect(self._terminated)
        self._busy(text, task)
        run_task(task)
        return task

    def _failed(self, message: str) -> None:
        self._busy(mask_text(message), None)

    def _terminated(self) -> None:
        if self.task is not None:  # cancelled (a failure has already been reported by _failed)
            self._busy(tr("Cancelled"), None)

    def cancel(self) -> None:
        if self.task is not None:
            try:
                self.task.cancel()
            except RuntimeError:  # already finished and deleted
                self._busy("", None)

    def running(self) -> bool:
        return self.task is not None

    # -- finding devices -------------------------------------------------------------------------------------
    def search(self) -> Optional[QgsTask]:
        if self.running():
            return None
        interface = self.interface.currentData() or None
        target, timeout = self.discovery_target, self.discovery_timeout

        def work(task: QgsTask) -> list[DiscoveredDevice]:
            try:
                return discover(timeout, interface, target=target, should_stop=task.isCanceled)
            except OSError as exc:  # no such interface, no route for multicast, …
                raise RuntimeError(
                    tr("Cannot search on this network interface: {0}").format(exc.strerror or exc)
                ) from exc

        return self._start(tr("Searching the local network…"), tr("ONVIF discovery"), work, self._found)

    def _found(self, devices: list[DiscoveredDevice]) -> None:
        added = sum(self._add_row(DeviceRow(d.device_url, d.name, d.endpoint)) for d in devices if d.device_url)
        self._busy(tr("{0} camera(s) answered, {1} new").format(len(devices), added), None)

    def add_address(self) -> bool:
        text = self.address.text().strip()
        try:
            url = normalise_device_url(text)
        except ValueError as exc:
            self.status.setText(tr("Not a camera address: {0}").format(mask_text(str(exc))))
            return False
        if has_credentials(text if "://" in text else "http://" + text):
            self.status.setText(tr("The user name and password typed in the address were removed: use a camera login."))
        else:
            self.status.setText("")
        self.address.clear()
        return self._add_row(DeviceRow(url))

    def _add_row(self, device: DeviceRow) -> bool:
        if any(d.device_url == device.device_url for d in self.devices):
            return False
        self.devices.append(device)
        r = self.table.rowCount()
        self.table.insertRow(r)
        use = QTableWidgetItem()
        use.setFlags(Qt.ItemIsUserCheckable | Qt.ItemIsEnabled)
        use.setCheckState(Qt.Checked)
        self.table.setItem(r, 0, use)
        for col, text in ((1, device.name), (2, device.device_url), (9, tr("not read yet"))):
            item = QTableWidgetItem(text)
            item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable)
            self.table.setItem(r, col, item)
        for col in (3, 4):
            self.table.setCellWidget(r, col, QComboBox(self.table))
        for col in (5, 6, 7, 8):
            self.table.setItem(r, col, QTableWidgetItem(""))
        return True

    # -- profiles --------------------------------------------------------------------------------------------
    def authcfg(self) -> str:
        return self.auth.configId() if self.auth is not None else ""

    def read_profiles(self) -> Optional[QgsTask]:
        if self.running() or not self.devices:
            if not self.devices:
                self.status.setText(tr("Search the network or type a camera address first."))
            return None
        try:
            user, password = resolve_credentials(self.authcfg())  # on the GUI thread, where the auth manager lives
        except CredentialError as exc:
            self.status.setText(str(exc))
            return None
        urls, timeout = [d.device_url for d in self.devices], self.call_timeout

        def work(task: QgsTask) -> list[DeviceRow]:
            out = []
            for i, url in enumerate(urls):
                if task.isCanceled():
                    break
                out.append(read_device(url, user, password, timeout))
                task.setProgress(100.0 * (i + 1) / len(urls))
            return out

        return self._start(tr("Reading camera profiles…"), tr("ONVIF profiles"), work, self._profiles_read)

    def _profiles_read(self, rows: list[DeviceRow]) -> None:
        by_url = {r.device_url: r for r in rows}
        ok = 0
        for r, device in enumerate(self.devices):
            got = by_url.get(device.device_url)
            if got is None:
                continue
            device.profiles, device.info, device.error = got.profiles, got.info, got.error
            main, sub = self.table.cellWidget(r, 3), self.table.cellWidget(r, 4)
            main.clear()
            sub.clear()
            sub.addItem(tr("(none)"), "")
            for p in device.profiles:
                main.addItem(p.label(), p.token)
                sub.addItem(p.label(), p.token)
            if device.profiles:
                ok += 1
                main.setCurrentIndex(0)  # largest resolution first
                sub.setCurrentIndex(len(device.profiles) if len(device.profiles) > 1 else 0)
                if not self.table.item(r, 5).text():
                    self.table.item(r, 5).setText(default_camera_id(device))
                if not self.table.item(r, 6).text():
                    model = " ".join(v for v in (device.info.get("Manufacturer"), device.info.get("Model")) if v)
                    self.table.item(r, 6).setText(device.name or model or default_camera_id(device))
                status = tr("{0} profile(s)").format(len(device.profiles))
            else:
                status = device.error or tr("no media profiles")
                log(mask_text(f"ONVIF {device.device_url}: {status}"), "warning")
            self.table.item(r, 9).setText(status)
        self._busy(tr("Profiles read from {0} of {1} camera(s)").format(ok, len(rows)), None)

    # -- position --------------------------------------------------------------------------------------------
    def _pick_toggled(self, on: bool) -> None:
        canvas = self.iface.mapCanvas() if self.iface is not None else None
        if canvas is None:
            return
        if on:
            from qgis.gui import QgsMapToolEmitPoint

            if self._map_tool is None:
                self._map_tool = QgsMapToolEmitPoint(canvas)
                self._map_tool.canvasClicked.connect(self.map_clicked)
            self._previous_tool = canvas.mapTool()
            canvas.setMapTool(self._map_tool)
            self.status.setText(tr("Click the camera's position on the map"))
        elif self._map_tool is not None and canvas.mapTool() is self._map_tool:
            canvas.unsetMapTool(self._map_tool)
            if self._previous_tool is not None:
                canvas.setMapTool(self._previous_tool)

    def map_clicked(self, point: QgsPointXY, _button: Any = None) -> None:
        """A map click (canvas CRS) → longitude/latitude of the selected camera (or the first without one)."""
        canvas = self.iface.mapCanvas()
        xform = QgsCoordinateTransform(
            canvas.mapSettings().destinationCrs(), QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance()
        )
        wgs = xform.transform(point)
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        if not rows:
            rows = [r for r in range(self.table.rowCount()) if not self.table.item(r, 7).text()][:1]
        for r in rows[:1]:
            self.table.item(r, 7).setText(f"{wgs.x():.6f}")
            self.table.item(r, 8).setText(f"{wgs.y():.6f}")
        self.pick_button.setChecked(False)

    # -- saving ----------------------------------------------------------------------------------------------
    def camera_rows(self) -> tuple[list[dict], list[tuple[float, float]], list[str]]:
        """(rows, points, problems) for the checked cameras; the rows never carry credentials."""
        rows, points, problems = [], [], []
        authcfg = self.authcfg()
        seen: set[str] = set()
        for r, device in enumerate(self.devices):
            if self.table.item(r, 0).checkState() != Qt.Checked:
                continue
            label = device.name or device.device_url
            by_token = {p.token: p for p in device.profiles}
            main = by_token.get(self.table.cellWidget(r, 3).currentData() or "")
            sub = by_token.get(self.table.cellWidget(r, 4).currentData() or "")
            camera_id = self.table.item(r, 5).text().strip()
            name = self.table.item(r, 6).text().strip() or camera_id
            if main is None or not main.stream_uri:
                problems.append(tr("{0}: no main stream (read the profiles first)").format(label))
                continue
            if not camera_id or camera_id in seen:
                problems.append(tr("{0}: camera id missing or repeated").format(label))
                continue
            try:
                lon, lat = float(self.table.item(r, 7).text()), float(self.table.item(r, 8).text())
            except ValueError:
                problems.append(tr("{0}: position missing (type it or pick it on the map)").format(label))
                continue
            if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
                problems.append(tr("{0}: position out of range").format(label))
                continue
            seen.add(camera_id)
            snapshot = (main.snapshot_uri or (sub.snapshot_uri if sub else "")) or ""
            rows.append(
                {
                    "camera_id": camera_id,
                    "name": name,
                    "bearing": self.bearing.value(),
                    "angle": self.angle.value(),
                    "range_m": self.range_m.value(),
                    "stream_url": main.stream_uri,
                    "substream_url": sub.stream_uri if sub is not None and sub is not main else "",
                    "snapshot_url": snapshot,
                    "onvif_url": device.device_url,
                    "authcfg": authcfg,
                    "status": "unknown",
                }
            )
            points.append((lon, lat))
        return rows, points, problems

    def save(self) -> Optional[QgsTask]:
        if self.running():
            return None
        rows, points, problems = self.camera_rows()
        if problems or not rows:
            self.status.setText("\n".join(problems) or tr("No camera chosen"))
            return None
        factory = self.store_factory

        def work(_task: QgsTask) -> list[str]:
            store = factory()
            try:
                save_cameras(store, rows, points)
            finally:
                store.close()
            return [r["camera_id"] for r in rows]

        return self._start(tr("Saving cameras…"), tr("Save ONVIF cameras"), work, self._saved)

    def _saved(self, ids: list[str]) -> None:
        self._busy(tr("{0} camera(s) added: {1}").format(len(ids), ", ".join(ids)), None)
        log(f"ONVIF: added cameras {', '.join(ids)}")
        try:
            from .layers import ioc_layer

            layer = ioc_layer("cameras")
            if layer is not None:
                layer.dataProvider().reloadData()
                layer.triggerRepaint()
        except Exception as exc:  # noqa: BLE001 - the cameras are saved; a stale layer is only cosmetic
            log(f"cameras layer not refreshed: {exc}", "warning")
        self.cameras_added.emit(ids)

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        self.pick_button.setChecked(False)
        super().closeEvent(event)


class OnvifController(QObject):
    """Owns the "Add cameras from ONVIF…" action and its dialog; the plugin adds actions() to its IOC menu."""

    def __init__(self, iface: Any, store_factory: Callable[[], Any], parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.iface = iface
        self.store_factory = store_factory
        self.dialog: Optional[OnvifDialog] = None
        self.action = QAction(tr("Add cameras from ONVIF…"), self)
        self.action.setObjectName("ioc_onvif_add")
        self.action.triggered.connect(self.open_dialog)

    def actions(self) -> list[QAction]:
        return [self.action]

    def open_dialog(self) -> OnvifDialog:
        if self.dialog is None:
            parent = self.iface.mainWindow() if self.iface is not None else None
            self.dialog = OnvifDialog(self.iface, self.store_factory, parent)
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def unload(self) -> None:
        if self.dialog is not None:
            self.dialog.cancel()
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        self.action.triggered.disconnect(self.open_dialog)
        self.action.deleteLater()
