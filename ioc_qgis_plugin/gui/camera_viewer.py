"""Live view of one camera: frames from a FrameReader (worker thread) painted in the GUI thread.

The worker never waits for the GUI: it publishes the newest frame and emits at most one queued signal until the GUI
has taken it (`_pending`), so a busy GUI skips frames instead of queueing them (latency stays flat).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Optional

from qgis.PyQt.QtCore import QObject, QRect, QSize, Qt, QTimer, pyqtSignal
from qgis.PyQt.QtGui import QColor, QFont, QImage, QPainter
from qgis.PyQt.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ..connectors.cameras import mask_text
from ..core.model import Camera
from ..video import timecode
from ..video.reader import Frame, FrameReader, State, Status

STATE_TEXT = {
    State.IDLE: "Chờ · Idle",
    State.CONNECTING: "Đang kết nối · Connecting",
    State.LIVE: "Trực tiếp · Live",
    State.STALLED: "Mất hình · Stalled",
    State.RECONNECTING: "Kết nối lại · Reconnecting",
    State.ERROR: "Lỗi · Error",
    State.STOPPED: "Đã dừng · Stopped",
}
STATE_COLOR = {State.LIVE: "#2e7d32", State.STALLED: "#ef6c00", State.ERROR: "#c62828", State.RECONNECTING: "#ef6c00"}


def frame_to_qimage(frame: Frame) -> QImage:
    """QImage over the frame's BGR buffer. The reader never writes into a published array, and the QImage keeps
    a reference to it (`_ioc_array`), so no copy is needed for the GUI thread."""
    img = frame.image
    h, w = img.shape[:2]
    qimg = QImage(img.data, w, h, img.strides[0], QImage.Format_BGR888)
    qimg._ioc_array = img  # keep the numpy buffer alive as long as the QImage
    return qimg


class _Bridge(QObject):
    """Carries 'a new frame is ready' from the worker thread to the GUI thread (queued connection)."""

    frame_ready = pyqtSignal()
    status_changed = pyqtSignal()


class VideoWidget(QWidget):
    """Paints the latest frame, letterboxed; shows a message instead when there is no picture."""

    double_clicked = pyqtSignal()

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumSize(160, 90)
        self._image: Optional[QImage] = None
        self._message = ""

    def set_image(self, image: Optional[QImage]) -> None:
        self._image = image
        self.update()

    def set_message(self, text: str) -> None:
        if text != self._message:
            self._message = text
            self.update()

    def sizeHint(self) -> QSize:  # noqa: D102
        return QSize(640, 360)

    def paintEvent(self, _event) -> None:  # noqa: ANN001
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#101010"))
        if self._image is not None and not self._image.isNull():
            target = self._image.size().scaled(self.size(), Qt.KeepAspectRatio)
            x, y = (self.width() - target.width()) // 2, (self.height() - target.height()) // 2
            p.setRenderHint(QPainter.SmoothPixmapTransform, self.width() < self._image.width())
            p.drawImage(QRect(x, y, target.width(), target.height()), self._image)
        if self._message:
            p.setPen(QColor("#ffffff"))
            f = QFont(self.font())
            f.setBold(True)
            p.setFont(f)
            p.drawText(
                self.rect().adjusted(8, 8, -8, -8), Qt.AlignBottom | Qt.AlignLeft | Qt.TextWordWrap, self._message
            )
        p.end()

    def mouseDoubleClickEvent(self, _event) -> None:  # noqa: ANN001
        self.double_clicked.emit()


class CameraViewer(QWidget):
    """One camera: header (name, state, bearing, last frame at), the picture, and a snapshot button.

    `compact=True` is the grid tile form (one-line header, no button). The viewer owns its reader: `close()` or
    `stop()` joins the worker thread.
    """

    snapshot_taken = pyqtSignal(str, str)  # camera_id, path
    double_clicked = pyqtSignal(str)  # camera_id
    first_frame = pyqtSignal(str, float)  # camera_id, seconds from start() to the first painted frame
    closed = pyqtSignal(str)

    def __init__(
        self,
        camera: Camera,
        connect_url: str,
        *,
        compact: bool = False,
        snapshot_dir: Optional[Path] = None,
        reader_options: Optional[dict] = None,
        parent: Optional[QWidget] = None,
    ) -> None:
        super().__init__(parent)
        self.camera = camera
        self.compact = compact
        self.snapshot_dir = snapshot_dir
        self.measure_latency = False  # benchmarks: decode the burned-in time of each displayed frame
        self.latencies_ms: list[float] = []
        self.displayed = 0
        self._last_frame: Optional[Frame] = None
        self._started_at = 0.0
        self._first_shown = False
        self._pending = threading.Event()
        self._bridge = _Bridge(self)
        self._bridge.frame_ready.connect(self._on_frame_ready, Qt.QueuedConnection)
        self._bridge.status_changed.connect(self._refresh_status, Qt.QueuedConnection)
        # connect_url may carry credentials: it goes to the reader and nowhere else
        self.reader = FrameReader(
            connect_url,
            name=camera.camera_id,
            on_frame=self._on_worker_frame,
            on_state=self._on_worker_state,
            **(reader_options or {}),
        )
        self._build()
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(500)
        self._status_timer.timeout.connect(self._refresh_status)

    # -- UI ------------------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.setWindowTitle(f"Camera {self.camera.name} ({self.camera.camera_id})")
        self.video = VideoWidget(self)
        self.video.double_clicked.connect(lambda: self.double_clicked.emit(self.camera.camera_id))
        self.title = QLabel(self.camera.name or self.camera.camera_id)
        self.title.setStyleSheet("font-weight: bold")
        self.state_label = QLabel()
        self.info_label = QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.state_label)
        layout.addLayout(head)
        layout.addWidget(self.video, 1)
        foot = QHBoxLayout()
        foot.addWidget(self.info_label, 1)
        self.snapshot_button = QPushButton("Chụp ảnh · Snapshot")
        self.snapshot_button.setToolTip("Lưu khung hình hiện tại (PNG) · Save the current frame as PNG")
        self.snapshot_button.clicked.connect(self.take_snapshot)
        foot.addWidget(self.snapshot_button)
        layout.addLayout(foot)
        if self.compact:
            self.snapshot_button.hide()
            self.info_label.hide()
        self._refresh_status()

    # -- lifecycle -----------------------------------------------------------------------------------------
    def start(self) -> None:
        self._started_at = time.monotonic()
        self._first_shown = False
        self.reader.start()
        self._status_timer.start()

    def stop(self, wait: bool = True) -> bool:
        """Stop the reader. wait=False returns at once even if the worker is stuck in a hung connection (it ends
        within the open/read timeout; `video.reader.join_stopped` collects it at unload)."""
        self._status_timer.stop()
        return self.reader.stop(None if wait else 0.05)

    def closeEvent(self, event) -> None:  # noqa: ANN001
        self.stop(wait=False)  # closing a window never freezes QGIS
        self.closed.emit(self.camera.camera_id)
        super().closeEvent(event)

    # -- worker thread side (no widget access here) --------------------------------------------------------
    def _on_worker_frame(self, _frame: Frame) -> None:
        if not self._pending.is_set():
            self._pending.set()
            try:
                self._bridge.frame_ready.emit()
            except RuntimeError:  # widget already deleted; the worker is about to be stopped
                pass

    def _on_worker_state(self, _status: Status) -> None:
        try:
            self._bridge.status_changed.emit()
        except RuntimeError:
            pass

    # -- GUI thread ----------------------------------------------------------------------------------------
    def _on_frame_ready(self) -> None:
        self._pending.clear()  # clear first: a frame arriving while we paint schedules the next update
        frame = self.reader.latest()
        if frame is None or frame is self._last_frame:
            return
        self._last_frame = frame
        self.video.set_image(frame_to_qimage(frame))
        self.displayed += 1
        if self.measure_latency:
            ms = timecode.decode(frame.image)
            if ms is not None:
                self.latencies_ms.append(time.time() * 1000 - ms)
        if not self._first_shown:
            self._first_shown = True
            self.video.repaint()  # paint now, so "first frame on screen" is really on screen
            self.first_frame.emit(self.camera.camera_id, time.monotonic() - self._started_at)
            self._refresh_status()

    def _refresh_status(self) -> None:
        st = self.reader.status()
        color = STATE_COLOR.get(st.state, "#555555")
        self.state_label.setText(STATE_TEXT.get(st.state, st.state.value))
        self.state_label.setStyleSheet(f"color: {color}; font-weight: bold")
        self.state_label.setToolTip(mask_text(st.message))
        last = time.strftime("%H:%M:%S", time.localtime(st.last_frame_wall)) if st.last_frame_wall else "—"
        bearing = f"{self.camera.bearing:.0f}°" if self.camera.bearing is not None else "—"
        self.info_label.setText(
            f"Hướng · Bearing {bearing}   Khung cuối · Last frame {last}   {st.fps:.0f} fps"
            + (f"   {mask_text(st.message)}" if st.message else "")
        )
        if st.state == State.LIVE:
            self.video.set_message("")
        else:
            text = STATE_TEXT.get(st.state, st.state.value)
            self.video.set_message(text + (f": {mask_text(st.message)}" if st.message else ""))

    def status(self) -> Status:
        return self.reader.status()

    # -- snapshot ------------------------------------------------------------------------------------------
    def take_snapshot(self) -> Optional[str]:
        """Save the frame on screen as PNG (camera id + time in name and metadata); emits snapshot_taken."""
        frame = self._last_frame
        if frame is None:
            return None
        folder = Path(self.snapshot_dir or Path.home() / "ioc_snapshots")
        folder.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.localtime(frame.wall)) + f"_{int(frame.wall * 1000) % 1000:03d}"
        path = folder / f"{self.camera.camera_id}_{stamp}.png"
        image = frame_to_qimage(frame).copy()
        iso = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(frame.wall)) + time.strftime("%z")
        image.setText("camera_id", self.camera.camera_id)
        image.setText("camera_name", self.camera.name)
        image.setText("captured_at", iso)
        image.setText("Software", "IOC QGIS plugin")
        if not image.save(str(path), "PNG"):
            return None
        self.snapshot_taken.emit(self.camera.camera_id, str(path))
        return str(path)
