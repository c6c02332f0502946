"""IOC ▸ Dependencies: which optional Python modules this QGIS has, what each is for, and how to add a missing one;
and, at start-up, the features that need a missing module are disabled with that message (core.dependencies)."""

from __future__ import annotations

from typing import Any, Optional

from qgis.PyQt.QtCore import QCoreApplication, Qt
from qgis.PyQt.QtWidgets import (
    QAction,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..core.dependencies import BY_MODULE, Status, is_available, missing_message, status
from .messages import log, notify


def tr(text: str) -> str:
    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    return QCoreApplication.translate("@default", text)


def features_text(module: str) -> str:
    """What needs `module`, in the interface language."""
    texts = {
        "cv2": tr("camera live view, camera grid, snapshots, replay video export"),
        "scipy": tr(
            "Processing analytics: hot spots (Gi*), optimized and emerging hot spots, kernel density, clusters, "
            "camera coverage gaps; light outage groups"
        ),
        "sklearn": tr("density clusters (DBSCAN; HDBSCAN with scikit-learn ≥ 1.3)"),
        "psycopg2": tr("city database (PostGIS) store and its administration"),
        "defusedxml": tr("hardened parsing of Open311 XML answers"),
        "requests": tr(
            "Open311 report sync, street-light (SensorThings) refresh, CKAN / OGC API publishing, ONVIF cameras"
        ),
        "yaml": tr("publishing to an OGC API – Features (pygeoapi) portal"),
    }
    return texts.get(module, BY_MODULE[module].features if module in BY_MODULE else module)


def feature_message(module: str) -> str:
    return missing_message(module, features_text(module))


def disable_actions(actions: list[QAction], module: str) -> None:
    """Greyed out, with the module named in the text and the install steps as tool and status tip."""
    message = feature_message(module)
    for action in actions:
        action.setEnabled(False)
        action.setProperty("ioc_needs", module)  # owners that retranslate their actions leave these as they are
        if f"({module})" not in action.text():
            action.setText(tr("{0} (needs {1})").format(action.text(), module))
        action.setToolTip(message)
        action.setStatusTip(message)


class DependencyGuard:
    """What the plugin disabled for missing modules; says so once in the log and where the user acts."""

    def __init__(self, iface: Any) -> None:
        self.iface = iface
        self.missing: list[str] = [s.info.module for s in status() if not s.present]
        self._camera_hook: Optional[tuple[Any, Any]] = None

    def apply(self, plugin: Any) -> None:
        for module in self.missing:
            info = BY_MODULE[module]
            if info.fallback:
                log(f"optional module '{module}' missing: {info.fallback}", "info")
            else:
                log(feature_message(module), "warning")
        if "cv2" in self.missing and plugin.cameras is not None:
            disable_actions(plugin.cameras.actions(), "cv2")
            tab = plugin.dock.cameras if plugin.dock is not None else None
            if tab is not None:  # the Cameras tab's requests get the message instead of a viewer that stays black
                cams = plugin.cameras
                for signal, slot in ((tab.open_camera, cams.open_camera), (tab.open_grid, cams.open_grid)):
                    try:
                        signal.disconnect(slot)
                    except (TypeError, RuntimeError):
                        pass
                tab.open_camera.connect(self._camera_refused)
                tab.open_grid.connect(self._camera_refused)
                self._camera_hook = (tab, self._camera_refused)
        if "psycopg2" in self.missing:
            disable_actions([a for a in plugin.actions if a.objectName() == "ioc_postgis"], "psycopg2")

    def _camera_refused(self, *_args: Any) -> None:
        notify(self.iface, tr("Cameras"), feature_message("cv2"), "warning", 15)

    def refuse(self, module: str, title: str) -> bool:
        """True (and the message shown) when a feature needing `module` was asked for and the module is missing."""
        if is_available(module):
            return False
        notify(self.iface, title, feature_message(module), "warning", 15)
        return True

    def unload(self) -> None:
        if self._camera_hook is not None:
            tab, slot = self._camera_hook
            for signal in (tab.open_camera, tab.open_grid):
                try:
                    signal.disconnect(slot)
                except (TypeError, RuntimeError):
                    pass
            self._camera_hook = None


class DependenciesDialog(QDialog):
    """One row per optional module: present (with version) or missing, what it is for, how to install it."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("IocDependencies")
        self.setWindowTitle(tr("IOC — Python modules"))
        self.resize(900, 520)
        self.rows: list[Status] = status()
        layout = QVBoxLayout(self)
        missing = [s for s in self.rows if not s.present]
        self.summary = QLabel(
            tr("All optional modules are installed.")
            if not missing
            else tr("{0} optional module(s) missing: the features listed next to them are disabled.").format(
                len(missing)
            )
        )
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = QTableWidget(len(self.rows), 3, self)
        self.table.setHorizontalHeaderLabels([tr("Module"), tr("Status"), tr("Needed for")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        for r, s in enumerate(self.rows):
            self.table.setItem(r, 0, QTableWidgetItem(f"{s.info.module} ({s.info.label})"))
            state = tr("installed {0}").format(s.version).strip() if s.present else tr("missing")
            item = QTableWidgetItem(state)
            item.setForeground(Qt.darkGreen if s.present else Qt.red)
            self.table.setItem(r, 1, item)
            self.table.setItem(r, 2, QTableWidgetItem(features_text(s.info.module)))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        layout.addWidget(self.table, 3)
        self.howto = QTextBrowser(self)
        self.howto.setPlainText(self.install_text())
        layout.addWidget(self.howto, 2)
        buttons = QDialogButtonBox(QDialogButtonBox.Close, parent=self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def install_text(self) -> str:
        missing = [s.info for s in self.rows if not s.present]
        if not missing:
            return tr("Nothing to install.")
        lines = [tr("Windows (OSGeo4W Shell, started as administrator; or the OSGeo4W Setup, Advanced install):")]
        lines += [f"  {m.module}: {m.osgeo4w}" for m in missing]
        lines.append("")
        lines.append(tr("Debian / Ubuntu:"))
        lines.append("  sudo apt install " + " ".join(m.debian for m in missing))
        lines.append("")
        lines.append(tr("Then restart QGIS."))
        return "\n".join(lines)
