"""Live view of one camera: frames from a FrameReader (worker thread), prepared off the GUI thread, painted 1:1.

Render path, built so the GUI thread is never the bottleneck on a busy desk machine:
- the reader's worker thread hands each new frame to a `FramePresenter`, which (still on the worker thread) scales
  it to the widget's current size and converts it to a QImage in Format_RGB32 — the backing store's own format,
  so painting is a plain copy of a few hundred kB, no scaling, no colour conversion;
- the presenter keeps one slot: a newer frame replaces an older one that the GUI has not taken (drop, never
  queue), and at most one queued "frame ready" signal is in flight, so a busy GUI skips frames instead of
  accumulating latency;
- a viewer that nobody can see (minimised window, hidden tile) pauses its reader after a short grace period:
  no connection, no decoding; it reconnects when shown.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Optional

from qgis.PyQt.QtCore import QCoreApplication, QEvent, QObject, QRect, QSize, Qt, QTimer, pyqtSignal
from qgis.PyQt.QtGui import QColor, QFont, QImage, QPainter
from qgis.PyQt.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from ..connectors.cameras import mask_text, safe_filename
from ..core.model import Camera
from ..video import timecode
from ..video.reader import Frame, FrameReader, State, Status
from ..video.scaling import scale_down

STATE_COLOR = {
    State.LIVE: "#2e7d32",
    State.STALLED: "#ef6c00",
    State.ERROR: "#c62828",
    State.RECONNECTING: "#ef6c00",
    State.PAUSED: "#555555",
}
PAUSE_AFTER_S = 2.0  # a quick switch between windows must not cost a reconnect


def tr(text: str) -> str:
    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    return QCoreApplication.translate("@default", text)


def state_text(state: State) -> str:
    texts = {
        State.IDLE: tr("Idle"),
        State.CONNECTING: tr("Connecting"),
        State.LIVE: tr("Live"),
        State.STALLED: tr("Stalled"),
        State.RECONNECTING: tr("Reconnecting"),
        State.ERROR: tr("Error"),
        State.PAUSED: tr("Paused"),
        State.STOPPED: tr("Stopped"),
    }
    return texts.get(state, state.value)


def frame_to_qimage(frame: Frame) -> QImage:
    """QImage over the frame's full-size BGR buffer (snapshots). The reader never writes into a published array,
    and the QImage keeps a reference to it (`_ioc_array`)."""
    img = frame.image
    h, w = img.shape[:2]
    qimg = QImage(img.data, w, h, img.strides[0], QImage.Format_BGR888)
    qimg._ioc_array = img  # keep the numpy buffer alive as long as the QImage
    return qimg


def fit_size(width: int, height: int, box_w: int, box_h: int) -> tuple[int, int]:
    """Largest (w, h) with the frame's aspect ratio inside the box (letterboxing)."""
    if width <= 0 or height <= 0 or box_w <= 0 or box_h <= 0:
        return 0, 0
    scale = min(box_w / width, box_h / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


class FramePresenter:
    """Worker-thread side of the render path: newest frame → QImage (RGB32) at the widget's size, one slot."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._box = (640, 360)
        self._slot: Optional[tuple[QImage, Frame]] = None
        self.enabled = True

    def set_box(self, width: int, height: int) -> None:
        """GUI thread, on resize: the size the next frames are prepared for."""
        with self._lock:
            self._box = (max(1, width), max(1, height))

    def render(self, frame: Frame) -> QImage:
        import cv2

        with self._lock:
            box_w, box_h = self._box
        img = frame.image
        h, w = img.shape[:2]
        tw, th = fit_size(w, h, box_w, box_h)
        img = scale_down(img, tw, th)
        bgra = cv2.cvtColor(img, cv2.COLOR_BGR2BGRA)  # memory order B,G,R,255 = QImage.Format_RGB32
        qimg = QImage(bgra.data, tw, th, bgra.strides[0], QImage.Format_RGB32)
        qimg._ioc_array = bgra
        return qimg

    def put(self, frame: Frame) -> bool:
        """Prepare and store the frame; True when the slot was empty (the GUI must be told)."""
        image = self.render(frame)
        with self._lock:
            was_empty = self._slot is None
            self._slot = (image, frame)  # an untaken older frame is dropped here
        return was_empty

    def take(self) -> Optional[tuple[QImage, Frame]]:
        with self._lock:
            slot, self._slot = self._slot, None
        return slot

    def clear(self) -> None:
        with self._lock:
            self._slot = None


class _Bridge(QObject):
    """Carries 'a new frame is ready' from the worker thread to the GUI thread (queued connection)."""

    frame_ready = pyqtSignal()
    status_changed = pyqtSignal()


class VideoWidget(QWidget):
    """Paints the prepared frame 1:1, letterboxed; shows a message instead when there is no picture."""

    double_clicked = pyqtSignal()
    resized = pyqtSignal(int, int)
    painted_new = pyqtSignal()  # a paint showed a picture not painted before

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumSize(160, 90)
        self._image: Optional[QImage] = None
        self._tag: object = None  # what the image shows (the viewer passes its Frame)
        self.painted_tag: object = None
        self._message = ""
        self._background = QColor("#101010")
        self.paint_count = 0
        self.paint_seconds = 0.0  # wall time spent in paintEvent (benchmarks)
        self.paint_cpu_seconds = 0.0  # CPU time of the GUI thread in paintEvent: the cost, without preemption
        self.image_rect = QRect()  # where the last picture was drawn, in widget coordinates

    def set_image(self, image: Optional[QImage], tag: object = None) -> None:
        self._image, self._tag = image, tag
        if image is None:
            self.painted_tag = None
        self.update()

    def set_message(self, text: str) -> None:
        if text != self._message:
            self._message = text
            self.update()

    def sizeHint(self) -> QSize:  # noqa: D102
        return QSize(640, 360)

    def resizeEvent(self, event) -> None:  # noqa: ANN001
        ratio = self.devicePixelRatioF()
        self.resized.emit(round(self.width() * ratio), round(self.height() * ratio))
        super().resizeEvent(event)

    def paintEvent(self, _event) -> None:  # noqa: ANN001
        started, started_cpu = time.perf_counter(), time.thread_time()
        p = QPainter(self)
        image = self._image
        if image is not None and not image.isNull():
            ratio = self.devicePixelRatioF()
            w, h = fit_size(image.width(), image.height(), self.width(), self.height())
            if abs(image.width() - round(w * ratio)) <= 1 and abs(image.height() - round(h * ratio)) <= 1:
                w, h = round(image.width() / ratio), round(image.height() / ratio)
            x, y = (self.width() - w) // 2, (self.height() - h) // 2
            target = QRect(x, y, w, h)
            # only the bars around the picture are filled: the picture covers the rest (opaque paint)
            for bar in (
                QRect(0, 0, self.width(), y),
                QRect(0, y + h, self.width(), self.height() - y - h),
                QRect(0, y, x, h),
                QRect(x + w, y, self.width() - x - w, h),
            ):
                if bar.width() > 0 and bar.height() > 0:
                    p.fillRect(bar, self._background)
            # prepared at this size on the worker thread, so normally a plain copy; after a resize, until the
            # next frame arrives, Qt scales the old one (fast filter: it is replaced within a frame interval)
            p.drawImage(target, image)
            self.image_rect = target
        else:
            p.fillRect(self.rect(), self._background)
            self.image_rect = QRect()
        if self._message:
            p.setPen(QColor("#ffffff"))
            f = QFont(self.font())
            f.setBold(True)
            p.setFont(f)
            p.drawText(
                self.rect().adjusted(8, 8, -8, -8), Qt.AlignBottom | Qt.AlignLeft | Qt.TextWordWrap, self._message
            )
        p.end()
        self.paint_count += 1
        self.paint_seconds += time.perf_counter() - started
        self.paint_cpu_seconds += time.thread_time() - started_cpu
        if image is not None and self._tag is not self.painted_tag:
            self.painted_tag = self._tag
            self.painted_new.emit()

    def mouseDoubleClickEvent(self, _event) -> None:  # noqa: ANN001
        self.double_clicked.emit()


class CameraViewer(QWidget):
    """One camera: header (name, state, snapshot), the picture, and a footer (bearing, last frame at, fps).

    `compact=True` is the grid tile form (one-line header with a small snapshot button, no footer). The viewer owns
    its reader: `close()` or `stop()` stops the worker thread. `error` is a problem found before any connection
    (e.g. the camera's credentials cannot be read): it is shown and no reader is started.
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
        error: str = "",
        parent: Optional[QWidget] = None,
    ) -> None:
        super().__init__(parent)
        self.camera = camera
        self.compact = compact
        self.snapshot_dir = snapshot_dir
        self.error = error
        self.measure_latency = False  # benchmarks: decode the burned-in time of each frame the GUI takes
        self.latencies_ms: list[float] = []
        self.displayed = 0  # distinct frames painted
        self.painted_frame: Optional[Frame] = None  # the frame whose picture the last paint showed
        self._last_frame: Optional[Frame] = None  # newest frame handed to the widget (full size, for snapshots)
        self._started_at = 0.0
        self._first_shown = False
        self._hidden_since: Optional[float] = None
        self.pause_after_s = PAUSE_AFTER_S
        self.presenter = FramePresenter()
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
        cam = self.camera
        name = cam.name or cam.camera_id
        label = name if cam.camera_id in name else f"{name} ({cam.camera_id})"
        live_view = tr("Live view")
        self.setWindowTitle(f"{label} — {live_view}")
        self.video = VideoWidget(self)
        self.video.double_clicked.connect(lambda: self.double_clicked.emit(self.camera.camera_id))
        self.video.resized.connect(self.presenter.set_box)
        self.video.painted_new.connect(self._after_paint)
        self.title = QLabel(name)
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
        tip = tr("Save the current frame as PNG")
        if self.compact:
            # tiles are small: the snapshot is a compact button in the header line
            self.snapshot_button = QToolButton()
            self.snapshot_button.setText(tr("Snapshot"))
            self.snapshot_button.setAutoRaise(True)
            head.addWidget(self.snapshot_button)
        else:
            self.snapshot_button = QPushButton(tr("Snapshot"))
        self.snapshot_button.setToolTip(tip)
        self.snapshot_button.clicked.connect(self.take_snapshot)
        foot = QHBoxLayout()
        foot.addWidget(self.info_label, 1)
        if not self.compact:
            foot.addWidget(self.snapshot_button)
        layout.addLayout(foot)
        if self.compact:
            self.info_label.hide()
        self._refresh_status()

    # -- lifecycle -----------------------------------------------------------------------------------------
    def start(self) -> None:
        self._started_at = time.monotonic()
        self._first_shown = False
        if not self.error:
            self.reader.start()
        self._status_timer.start()
        self._refresh_status()

    def stop(self, wait: bool = True) -> bool:
        """Stop the reader. wait=False returns at once even if the worker is stuck in a hung connection (it ends
        within the open/read timeout; `video.reader.join_stopped` collects it at unload). The pictures are
        dropped at once, whatever the worker does."""
        self._status_timer.stop()
        stopped = self.reader.stop(None if wait else 0.05)
        self.presenter.clear()
        self._last_frame = self.painted_frame = None
        self.video.set_image(None)
        return stopped

    def closeEvent(self, event) -> None:  # noqa: ANN001
        self.stop(wait=False)  # closing a window never freezes QGIS
        self.closed.emit(self.camera.camera_id)
        super().closeEvent(event)

    # -- visibility: nobody looking → no decoding ------------------------------------------------------------
    def is_seen(self) -> bool:
        window = self.window()
        return self.isVisible() and not window.isMinimized() and not self.visibleRegion().isEmpty()

    def check_visibility(self) -> None:
        """Pause the reader when the picture has not been visible for `pause_after_s`; resume at once when it is."""
        if self.error or not self.reader.running:
            return
        if self.is_seen():
            self._hidden_since = None
            self.reader.set_paused(False)
            return
        now = time.monotonic()
        if self._hidden_since is None:
            self._hidden_since = now
        elif now - self._hidden_since >= self.pause_after_s:
            self.reader.set_paused(True)

    def changeEvent(self, event) -> None:  # noqa: ANN001
        if event.type() == QEvent.WindowStateChange:
            self.check_visibility()
        super().changeEvent(event)

    def showEvent(self, event) -> None:  # noqa: ANN001
        super().showEvent(event)
        self.check_visibility()

    # -- worker thread side (no widget access here) --------------------------------------------------------
    def _on_worker_frame(self, frame: Frame) -> None:
        if self.presenter.put(frame) and not self._pending.is_set():
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
        self._pending.clear()  # clear first: a frame arriving from now on schedules the next update
        slot = self.presenter.take()
        if slot is None or not self.reader.running:
            return
        image, frame = slot
        self._last_frame = frame
        self.video.set_image(image, frame)
        if self.measure_latency:
            ms = timecode.decode(frame.image)
            if ms is not None:
                self.latencies_ms.append(time.time() * 1000 - ms)
        if not self._first_shown:
            self._first_shown = True
            self.video.repaint()  # paint now, so "first frame on screen" is really on screen
            self._refresh_status()

    def _after_paint(self) -> None:
        frame = self.video.painted_tag
        if not isinstance(frame, Frame):
            return
        self.painted_frame = frame
        self.displayed += 1
        if self.displayed == 1:
            self.first_frame.emit(self.camera.camera_id, time.monotonic() - self._started_at)

    def _show_state(self, state: State, tooltip: str, info: str, message: str) -> None:
        """Update the labels only when something changed: a style sheet change re-polishes the widget, and a grid
        refreshes nine tiles twice a second on the GUI thread that also paints them."""
        shown = (state, tooltip, info, message)
        if shown == getattr(self, "_shown_state", None):
            return
        self._shown_state = shown
        self.state_label.setText(state_text(state))
        color = STATE_COLOR.get(state, "#555555")
        if color != getattr(self, "_shown_color", None):
            self._shown_color = color
            self.state_label.setStyleSheet(f"color: {color}; font-weight: bold")
        self.state_label.setToolTip(tooltip)
        self.info_label.setText(info)
        self.video.set_message(message)

    def _refresh_status(self) -> None:
        if self.error:
            error = mask_text(self.error)
            self._show_state(State.ERROR, error, error, f"{state_text(State.ERROR)}: {error}")
            return
        self.check_visibility()
        st = self.reader.status()
        message = mask_text(st.message)
        last = time.strftime("%H:%M:%S", time.localtime(st.last_frame_wall)) if st.last_frame_wall else "—"
        bearing = f"{self.camera.bearing:.0f}°" if self.camera.bearing is not None else "—"
        info = ""
        if not self.compact:  # the tile has no footer: no need to format one
            info = tr("Bearing {bearing}   Last frame {last}   {fps} fps").format(
                bearing=bearing, last=last, fps=f"{st.fps:.0f}"
            ) + (f"   {message}" if message else "")
        overlay = "" if st.state == State.LIVE else state_text(st.state) + (f": {message}" if message else "")
        self._show_state(st.state, message, info, overlay)

    def status(self) -> Status:
        return self.reader.status()

    # -- snapshot ------------------------------------------------------------------------------------------
    def take_snapshot(self) -> Optional[str]:
        """Save the frame on screen as PNG (camera id + time in name and metadata); emits snapshot_taken.

        The file name is made from the camera id with path separators and '..' removed, so a camera id such as
        "../x" or "CAM/01" can neither write outside the folder nor fail for a missing sub-folder."""
        frame = self._last_frame
        if frame is None:
            return None
        folder = Path(self.snapshot_dir or Path.home() / "ioc_snapshots")
        folder.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.localtime(frame.wall)) + f"_{int(frame.wall * 1000) % 1000:03d}"
        path = folder / f"{safe_filename(self.camera.camera_id)}_{stamp}.png"
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
