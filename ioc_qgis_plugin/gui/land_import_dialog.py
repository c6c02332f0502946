"""Import dialog: file, field mapping with remembered presets, province/CRS from the registry, encoding, mode."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from qgis.core import QgsApplication, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from ..core.crs import load_registry
from ..land.encoding import ENCODING_NAMES
from ..land.mapping import SOURCE_LABELS, FieldMapping, guess_mapping, list_presets, load_preset, save_preset
from ..land.reader import list_layers, read_cadastre
from .land_task import CadastreImportTask

SETTINGS_KEY = "ioc/land/last_mapping"


def tr(text: str) -> str:
    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    return QCoreApplication.translate("@default", text)


def presets_folder() -> Path:
    return Path(QgsApplication.qgisSettingsDirPath()) / "ioc" / "land_presets"


class LandImportDialog(QDialog):
    imported = pyqtSignal(object)  # ImportResult

    def __init__(self, store_factory: Callable, parent=None, presets_dir: Optional[Path] = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.setWindowTitle(tr("Import cadastral parcels"))
        self.store_factory = store_factory
        self.presets_dir = presets_dir or presets_folder()
        self.task: Optional[CadastreImportTask] = None
        self.fields: list[str] = []
        form = QFormLayout()
        self.path = QLineEdit()
        browse = QPushButton(tr("Browse…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form.addRow(tr("File (SHP, GPKG, DGN, DXF)"), row)
        self.layer = QComboBox()
        form.addRow(tr("Layer"), self.layer)
        self.preset = QComboBox()
        save = QPushButton(tr("Save preset…"))
        save.clicked.connect(self._save_preset)
        prow = QHBoxLayout()
        prow.addWidget(self.preset, 1)
        prow.addWidget(save)
        form.addRow(tr("Preset"), prow)
        self.combos: dict[str, QComboBox] = {}
        for target, label in SOURCE_LABELS.items():
            combo = QComboBox()
            combo.setEditable(True)  # '=12' gives a constant (sheet number of a DGN drawing)
            self.combos[target] = combo
            form.addRow(f"{label} → {target}", combo)
        self.province = QComboBox()
        self.province.addItem(tr("(CRS of the file)"), "")
        for p in load_registry().values():
            self.province.addItem(f"{p.name} — VN-2000 / TM-3 {p.central_meridian:g}°", p.code)
        form.addRow(tr("Province (CRS when the file has none)"), self.province)
        self.encoding = QComboBox()
        for key, name in ENCODING_NAMES.items():
            if key != "latin-1":
                self.encoding.addItem(name, key)
        form.addRow(tr("Text encoding"), self.encoding)
        self.mode = QComboBox()
        self.mode.addItem(tr("Add new parcels"), "append")
        self.mode.addItem(tr("Replace the file's sheets"), "replace_sheets")
        form.addRow(tr("Mode"), self.mode)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText(tr("Import"))
        self.buttons.accepted.connect(self.start_import)
        self.buttons.rejected.connect(self._cancel)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.progress)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)
        self.path.editingFinished.connect(lambda: self.load_file(self.path.text()))
        self.preset.activated.connect(self._apply_preset)
        self._refresh_presets()
        last = QgsSettings().value(SETTINGS_KEY, "")
        if last:
            try:
                import json

                self.set_mapping(FieldMapping.from_dict(json.loads(last)))
            except ValueError:
                pass

    # -- mapping ---------------------------------------------------------------------------------------------
    def load_file(self, path: str) -> None:
        self.path.setText(path)
        self.layer.clear()
        self.layer.addItems(list_layers(path))
        try:
            self.fields = read_cadastre(path, self.layer.currentText() or None).field_names
        except Exception as exc:  # noqa: BLE001 - shown, not raised
            self.message.setText(str(exc))
            return
        guessed = guess_mapping(self.fields, self.mapping())
        self.set_mapping(guessed)
        self.message.setText(tr("Fields: {}").format(", ".join(self.fields)))

    def set_mapping(self, m: FieldMapping) -> None:
        for target, combo in self.combos.items():
            combo.clear()
            combo.addItems([""] + self.fields)
            combo.setEditText(getattr(m, target))
        i = self.province.findData(m.province)
        if i >= 0:
            self.province.setCurrentIndex(i)
        i = self.encoding.findData(m.encoding)
        if i >= 0:
            self.encoding.setCurrentIndex(i)

    def mapping(self) -> FieldMapping:
        m = FieldMapping(**{t: c.currentText().strip() for t, c in self.combos.items()})
        m.province = self.province.currentData() or ""
        m.encoding = self.encoding.currentData() or "auto"
        return m

    def _refresh_presets(self) -> None:
        self.preset.clear()
        self.preset.addItem("")
        self.preset.addItems(list_presets(self.presets_dir))

    def _apply_preset(self) -> None:
        name = self.preset.currentText()
        if name:
            self.set_mapping(load_preset(self.presets_dir, name))

    def _save_preset(self) -> None:
        name, ok = QInputDialog.getText(self, tr("Save preset"), tr("Preset name"))
        if ok and name.strip():
            save_preset(self.presets_dir, name.strip(), self.mapping())
            self._refresh_presets()
            self.preset.setCurrentText(name.strip())

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, tr("Cadastral file"), "", "Cadastre (*.shp *.gpkg *.dgn *.dxf);;All files (*)"
        )
        if path:
            self.load_file(path)

    # -- import ------------------------------------------------------------------------------------------------
    def start_import(self) -> Optional[CadastreImportTask]:
        import json

        from .tasks import run_task

        if self.task is not None:
            return self.task
        m = self.mapping()
        QgsSettings().setValue(SETTINGS_KEY, json.dumps(m.to_dict(), ensure_ascii=False))
        self.task = CadastreImportTask(
            self.path.text(),
            m,
            self.store_factory,
            self.mode.currentData(),
            self.layer.currentText() or None,
            self._done,
            self._failed,
        )
        self.task.progressChanged.connect(lambda v: self.progress.setValue(int(v)))
        self.progress.setVisible(True)
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(False)
        self.message.setText(tr("Importing…"))
        return run_task(self.task)

    def _done(self, result) -> None:  # noqa: ANN001
        self.task = None
        self.progress.setValue(100)
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(True)
        text = result.summary() + ("\n" + "\n".join(result.warnings) if result.warnings else "")
        self.message.setText(text)
        self.imported.emit(result)

    def _failed(self, message: str) -> None:
        self.task = None
        self.progress.setVisible(False)
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(True)
        self.message.setText(tr("Nothing was imported: {}").format(message))

    def _cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
        else:
            self.reject()

    def shutdown(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.task = None
