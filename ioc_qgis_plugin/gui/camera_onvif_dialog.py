""" "Add cameras from ONVIF…": find ONVIF cameras (WS-Discovery on this network segment, or one address), read their
profiles and add them to the camera layer with main stream, sub-stream and snapshot addresses.

The user name and password go into QGIS's auth manager (one Basic config for the cameras added together); the
layer stores only its id. Discovery and the ONVIF calls run on a worker thread: the GUI never waits on a camera.
"""

from __future__ import annotations

import re
import threading
from typing import Callable, Optional

from qgis.core import (
    QgsCoordinateTransform,
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QCoreApplication, QObject, Qt, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from ..connectors.cameras import mask_text, safe_filename
from ..connectors.onvif import DiscoveredDevice, OnvifClient, OnvifError, camera_urls, device_host, ws_discovery
from .camera_auth import store_basic_credentials


def tr(text: str) -> str:
    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    return QCoreApplication.translate("@default", text)


def devices_for_address(text: str, timeout: float = 2.0) -> list[DiscoveredDevice]:
    """What the operator typed → devices: nothing = WS-Discovery on this segment; a device service URL = that
    device; a host or host:port = a WS-Discovery probe to it, else its usual device service address."""
    text = text.strip()
    if not text:
        return ws_discovery(None, timeout=timeout)
    if re.match(r"(?i)^https?://", text):
        return [DiscoveredDevice(address=text, xaddrs=[text], name=device_host(text))]
    host, _, port = text.partition(":")
    found = ws_discovery(host, port=int(port) if port.isdigit() else 3702, timeout=timeout)
    if found:
        return found
    url = f"http://{host}/onvif/device_service"
    return [DiscoveredDevice(address=url, xaddrs=[url], name=host)]


class _Worker(QObject):
    """Runs one call on a thread and hands (result, error) back to the GUI thread."""

    done = pyqtSignal(object, str)

    def run(self, fn: Callable[[], object]) -> threading.Thread:
        def target() -> None:
            try:
                result, error = fn(), ""
            except OnvifError as exc:
                result, error = None, str(exc)
            except Exception as exc:  # noqa: BLE001 - shown to the operator, never raised into Qt
                result, error = None, f"{type(exc).__name__}: {exc}"
            try:
                self.done.emit(result, error)
            except RuntimeError:  # dialog closed meanwhile
                pass

        thread = threading.Thread(target=target, name="ioc-onvif", daemon=True)
        thread.start()
        return thread


class OnvifDialog(QDialog):
    cameras_added = pyqtSignal(list)  # camera ids

    def __init__(self, layer: QgsVectorLayer, canvas=None, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.layer, self.canvas = layer, canvas
        self.devices: list[DiscoveredDevice] = []
        self.added: list[str] = []
        self.thread: Optional[threading.Thread] = None
        self.setWindowTitle(tr("Add cameras from ONVIF"))
        self.address = QLineEdit()
        self.address.setPlaceholderText(tr("empty: search this network; or an IP address or device URL"))
        self.user = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.Password)
        self.search_button = QPushButton(tr("Search"))
        self.search_button.clicked.connect(self.search)
        self.list = QListWidget()
        self.note = QLabel()
        self.note.setWordWrap(True)
        form = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.address, 1)
        row.addWidget(self.search_button)
        form.addRow(tr("Address"), row)
        form.addRow(tr("User name"), self.user)
        form.addRow(tr("Password"), self.password)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Close)
        self.add_button = self.buttons.addButton(tr("Add selected cameras"), QDialogButtonBox.AcceptRole)
        self.add_button.setEnabled(False)
        self.buttons.accepted.connect(self.add_selected)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self._worker = _Worker(self)
        self._worker.done.connect(self._finished, Qt.QueuedConnection)
        self._pending: Optional[str] = None
        self.resize(520, 420)

    @property
    def busy(self) -> bool:
        return self._pending is not None

    def _start(self, kind: str, fn: Callable[[], object], message: str) -> None:
        self._pending = kind
        self.search_button.setEnabled(False)
        self.add_button.setEnabled(False)
        self.note.setText(message)
        self.thread = self._worker.run(fn)

    def search(self) -> None:
        if self.busy:
            return
        address = self.address.text()
        self._start("search", lambda: devices_for_address(address), tr("Searching…"))

    def add_selected(self) -> None:
        if self.busy:
            return
        chosen = [self.devices[i] for i in range(self.list.count()) if self.list.item(i).checkState() == Qt.Checked]
        if not chosen:
            self.note.setText(tr("Tick the cameras to add."))
            return
        user, password = self.user.text(), self.password.text()

        def read() -> list[tuple[DiscoveredDevice, dict]]:
            out = []
            for dev in chosen:
                with OnvifClient(dev.device_url, user, password, timeout=5.0) as client:
                    out.append((dev, camera_urls(client.discover())))
            return out

        self._start("add", read, tr("Reading the cameras' profiles…"))

    def _finished(self, result: object, error: str) -> None:
        kind, self._pending = self._pending, None
        self.search_button.setEnabled(True)
        if error:
            shown = error if error.startswith("ONVIF") else tr("ONVIF: {error}").format(error=error)
            self.note.setText(mask_text(shown))
            self.add_button.setEnabled(bool(self.devices))
            return
        if kind == "search":
            self._show_devices(result or [])
        elif kind == "add":
            self._add_to_layer(result or [])

    def _show_devices(self, devices: list[DiscoveredDevice]) -> None:
        self.devices = [d for d in devices if d.device_url]
        self.list.clear()
        for dev in self.devices:
            item = QListWidgetItem(f"{dev.name or device_host(dev.device_url)}  ({device_host(dev.device_url)})")
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked)
            self.list.addItem(item)
        self.add_button.setEnabled(bool(self.devices))
        self.note.setText(
            tr("{n} ONVIF cameras found.").format(n=len(self.devices))
            if self.devices
            else tr("No ONVIF camera answered.")
        )

    def _where(self) -> QgsPointXY:
        """New cameras go to the centre of the map view; the operator drags them to their real place."""
        if self.canvas is None:
            return QgsPointXY(0, 0)
        centre = self.canvas.extent().center()
        to_layer = QgsCoordinateTransform(
            self.canvas.mapSettings().destinationCrs(), self.layer.crs(), QgsProject.instance()
        )
        try:
            return to_layer.transform(centre)
        except Exception:  # noqa: BLE001 - an odd canvas CRS: put it at the layer's origin rather than fail
            return QgsPointXY(0, 0)

    def _unique_id(self, base: str, taken: set[str]) -> str:
        base = "ONVIF-" + safe_filename(base, "camera")
        cid, n = base, 2
        while cid in taken:
            cid, n = f"{base}-{n}", n + 1
        return cid

    def _add_to_layer(self, cameras: list) -> None:
        layer = self.layer
        fields = layer.fields()
        authcfg = ""
        if self.user.text():
            try:
                authcfg = store_basic_credentials(tr("IOC ONVIF cameras"), self.user.text(), self.password.text())
            except Exception as exc:  # noqa: BLE001
                self.note.setText(str(exc))
                return
        taken = {str(f["camera_id"]) for f in layer.getFeatures()} if fields.indexOf("camera_id") >= 0 else set()
        features, ids = [], []
        for dev, urls in cameras:
            if not urls.get("stream_url"):
                continue
            cid = self._unique_id(dev.name or device_host(dev.device_url), taken)
            taken.add(cid)
            values = {
                "camera_id": cid,
                "name": dev.name or cid,
                "onvif_url": dev.device_url,
                "authcfg": authcfg,
                "status": "unknown",
                **urls,
            }
            f = QgsFeature(fields)
            f.setGeometry(QgsGeometry.fromPointXY(self._where()))
            for name, value in values.items():
                if fields.indexOf(name) >= 0:
                    f[name] = value
            features.append(f)
            ids.append(cid)
        if not features:
            self.note.setText(tr("The cameras announced no stream."))
            return
        started = not layer.isEditable()
        if started and not layer.startEditing():
            self.note.setText(tr("The camera layer cannot be edited."))
            return
        ok = layer.addFeatures(features)
        if started:
            ok = layer.commitChanges() and ok
            if not ok:
                errors = "; ".join(layer.commitErrors())
                layer.rollBack()
                self.note.setText(tr("Could not save the cameras: {error}").format(error=errors))
                return
        self.added += ids
        self.note.setText(tr("Added: {cameras}").format(cameras=", ".join(ids)))
        self.cameras_added.emit(ids)
