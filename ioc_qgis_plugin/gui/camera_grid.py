"""Grid of live cameras (2×2, 3×3, 4×4) on sub-streams; double-click a tile to open that camera full size."""

from __future__ import annotations

import math
from typing import Callable, Optional

from qgis.PyQt.QtCore import QCoreApplication, QEvent, pyqtSignal
from qgis.PyQt.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..core.model import Camera
from .camera_viewer import CameraViewer

SIZES = (2, 3, 4)


def tr(text: str) -> str:
    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    return QCoreApplication.translate("@default", text)


# (camera) -> connect URL for the grid (sub-stream, credentials inserted); may raise with a safe message
UrlResolver = Callable[[Camera], str]


class CameraGrid(QWidget):
    open_full = pyqtSignal(str)  # camera_id of a double-clicked tile
    snapshot_taken = pyqtSignal(str, str)
    closed = pyqtSignal()

    def __init__(
        self,
        cameras: list[Camera],
        resolve_url: UrlResolver,
        *,
        size: Optional[int] = None,
        reader_options: Optional[dict] = None,
        snapshot_dir=None,  # noqa: ANN001 - Path or None
        parent: Optional[QWidget] = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Camera grid"))
        self._resolve_url = resolve_url
        self.snapshot_dir = snapshot_dir
        self._reader_options = reader_options or {}
        self.cameras = cameras
        self.tiles: list[CameraViewer] = []
        self.size_box = QComboBox()
        for n in SIZES:
            self.size_box.addItem(f"{n}×{n}", n)
        self.note = QLabel()
        self._grid = QGridLayout()
        self._grid.setSpacing(2)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("Layout")))
        top.addWidget(self.size_box)
        top.addWidget(self.note, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addLayout(self._grid, 1)
        n = size or next((s for s in SIZES if s * s >= len(cameras)), SIZES[-1])
        self.size_box.setCurrentIndex(SIZES.index(n) if n in SIZES else len(SIZES) - 1)
        self.size_box.currentIndexChanged.connect(lambda _i: self.set_grid_size(self.size_box.currentData()))
        self.grid_size = 0
        self.set_grid_size(n)
        self.resize(960, 560)

    def set_grid_size(self, n: int) -> None:
        if n == self.grid_size:
            return
        self.grid_size = n
        self._stop_tiles()
        shown = self.cameras[: n * n]
        hidden = len(self.cameras) - len(shown)
        self.note.setText("  " + tr("+{n} cameras not shown").format(n=hidden) if hidden > 0 else "")
        for i, cam in enumerate(shown):
            try:
                url = self._resolve_url(cam)
            except Exception as exc:  # noqa: BLE001 - a tile with a clear error beats a grid that fails to open
                url = ""
                err = str(exc)
            else:
                err = ""
            # a tile whose URL cannot be resolved shows why (e.g. the credential error) and starts no reader
            tile = CameraViewer(
                cam,
                url,
                compact=True,
                snapshot_dir=self.snapshot_dir,
                reader_options=self._reader_options,
                error=err,
                parent=self,
            )
            tile.double_clicked.connect(self.open_full)
            tile.snapshot_taken.connect(self.snapshot_taken)
            self._grid.addWidget(tile, i // n, i % n)
            self.tiles.append(tile)
            tile.start()
        for k in range(n):  # equal cells even when the last row is not full
            self._grid.setRowStretch(k, 1 if k < math.ceil(len(shown) / n) else 0)
            self._grid.setColumnStretch(k, 1)

    def _stop_tiles(self) -> None:
        tiles, self.tiles = self.tiles, []
        for tile in tiles:
            tile.stop(wait=False)
            self._grid.removeWidget(tile)
            tile.deleteLater()

    def stop(self) -> None:
        self._stop_tiles()

    def changeEvent(self, event) -> None:  # noqa: ANN001
        if event.type() == QEvent.WindowStateChange:  # minimised/restored: tiles pause/resume their readers
            for tile in self.tiles:
                tile.check_visibility()
        super().changeEvent(event)

    def closeEvent(self, event) -> None:  # noqa: ANN001
        self.stop()
        self.closed.emit()
        super().closeEvent(event)
