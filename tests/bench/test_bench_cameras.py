"""Camera benchmarks measured on the pixels, on a machine the benchmark itself keeps busy (measurements, recorded;
never pass/fail on speed).

- Latency is read from the picture: the RTSP devserver burns each frame's creation time (video.timecode) into the
  frame; the benchmark grabs the strip of the window where the viewer painted it (QScreen.grabWindow on the
  offscreen backing store, i.e. what was painted, not what was decoded) and decodes it. It samples every 20 ms
  for DURATION_S (≥ 20 s), so the figure includes how long a picture stays on screen.
- In the same run, on a second mount of the same size, the plain OpenCV latest-frame reader (one thread,
  `cv2.VideoCapture.read()` in a loop, the newest frame kept) is sampled the same way: its figure is the age of
  the newest decoded frame, the floor any viewer could reach. Ratio = ours / reference.
- Two busy processes (`while True: pass`) run beside every measurement, started and stopped (by PID) here: a desk
  PC runs QGIS next to a browser and a video call. Other work on the machine adds to that; figures say the load.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Optional

import numpy as np
import pytest
from qgis.core import QgsFeature, QgsField, QgsGeometry, QgsPointXY, QgsVectorLayer
from qgis.PyQt.QtCore import QElapsedTimer, QTimer, QVariant
from qgis.PyQt.QtGui import QGuiApplication, QImage
from qgis.PyQt.QtTest import QTest

from ioc_qgis_plugin.devservers.rtsp_server import RtspServerProcess
from ioc_qgis_plugin.gui.camera_controller import CameraController
from ioc_qgis_plugin.video import gst_source, timecode
from ioc_qgis_plugin.video.reader import FrameReader, State

N_GRID = 9
DURATION_S = max(20.0, float(os.environ.get("IOC_BENCH_CAMERA_S", "20")))
SAMPLE_MS = 20
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server():
    with RtspServerProcess(count=N_GRID, size=(1280, 720), sub_size=(640, 360), fps=25) as srv:
        yield srv


class Busy:
    """Two CPU-bound processes beside the measurement (stopped by PID)."""

    def __init__(self, n: int = 2) -> None:
        self.n = n
        self.procs: list[subprocess.Popen] = []

    def __enter__(self) -> Busy:
        code = "import time\nwhile True:\n    sum(range(10000))\n"
        self.procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(self.n)]
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            proc.kill()
            proc.wait(5)


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f} (1/5 min) on {os.cpu_count()} cpu incl. 2 busy processes and other work"


def rtsp_backend() -> str:
    return "GStreamer" if gst_source.available() else "OpenCV/FFmpeg"


def camera_layer(srv: RtspServerProcess) -> QgsVectorLayer:
    layer = QgsVectorLayer("Point?crs=EPSG:4326", "cameras", "memory")
    fields = ["camera_id", "name", "stream_url", "substream_url", "authcfg", "status"]
    layer.dataProvider().addAttributes([QgsField(n, QVariant.String) for n in fields])
    layer.updateFields()
    feats = []
    for i in range(1, N_GRID + 1):
        f = QgsFeature(layer.fields())
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(106.0 + i * 0.001, 21.0)))
        f.setAttributes([f"C{i:02d}", f"cam{i:02d}", srv.url(f"cam{i:02d}"), srv.url(f"cam{i:02d}", sub=True), "", ""])
        feats.append(f)
        # the same mounts as "360p cameras": main stream = the sub-stream mount
        g = QgsFeature(layer.fields())
        g.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(106.0 + i * 0.001, 21.001)))
        g.setAttributes([f"S{i:02d}", f"cam{i:02d} 360p", srv.url(f"cam{i:02d}", sub=True), "", "", ""])
        feats.append(g)
    layer.dataProvider().addFeatures(feats)
    return layer


def wait_until(pred, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        QTest.qWait(5)
    return bool(pred())


class StallMeter:
    """A 5 ms GUI-thread timer; the longest gap beyond its interval is the GUI's longest stall.

    IOC_BENCH_STALL_STACKS=1 adds a watchdog thread that, every 10 ms while the GUI thread has not ticked for
    more than 30 ms, samples the GUI thread's Python stack; `stacks()` counts where the samples were (a stack
    ending in the event loop means the GUI thread was inside Qt's C++ code or waiting for the GIL)."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.clock = QElapsedTimer()
        self.last = 0
        self.gaps: list[int] = []
        self.timer.timeout.connect(self._tick)
        self._last_tick = time.monotonic()
        self._gui_id = threading.get_ident()
        self._gui_tid = threading.get_native_id()
        self._sched0: list[int] = []
        self._watching = threading.Event()
        self._samples: dict[str, int] = {}
        self._watchdog: Optional[threading.Thread] = None

    def _tick(self) -> None:
        now = self.clock.elapsed()
        self.gaps.append(now - self.last)
        self.last = now
        self._last_tick = time.monotonic()

    def _watch(self) -> None:
        import traceback

        while self._watching.is_set():
            time.sleep(0.01)
            if time.monotonic() - self._last_tick > 0.03:
                frame = sys._current_frames().get(self._gui_id)
                if frame is not None:
                    where = " < ".join(
                        f"{Path(f.filename).name}:{f.name}:{f.lineno}"
                        for f in reversed(traceback.extract_stack(frame)[-6:])
                    )
                    self._samples[where] = self._samples.get(where, 0) + 1

    def _schedstat(self) -> list[int]:
        try:
            text = Path(f"/proc/self/task/{self._gui_tid}/schedstat").read_text()
        except OSError:
            return [0, 0, 0]
        return [int(x) for x in text.split()[:3]]

    def sched_summary(self) -> str:
        return getattr(self, "_sched_text", "")

    def _sched_at_stop(self) -> str:
        """The GUI thread's time on the CPU, waiting for a CPU (runnable but not running: the machine's load) and
        the rest (sleeping: idle in the event loop, or blocked on the GIL or a lock), from /proc schedstat."""
        if not self._sched0:
            return ""
        cpu0, wait0, _n0, t0 = self._sched0
        cpu1, wait1, _n1 = self._schedstat()
        wall = (time.monotonic_ns() - t0) / 1e9
        cpu, wait = (cpu1 - cpu0) / 1e9, (wait1 - wait0) / 1e9
        return f"on CPU {cpu:.1f} s, waiting for a CPU {wait:.1f} s, sleeping {wall - cpu - wait:.1f} s of {wall:.1f} s"

    def start(self) -> None:
        self.clock.start()
        self.last = 0
        self.gaps.clear()
        self._last_tick = time.monotonic()
        self._sched0 = self._schedstat() + [time.monotonic_ns()]
        self.timer.start()
        if os.environ.get("IOC_BENCH_STALL_STACKS"):
            self._watching.set()
            self._watchdog = threading.Thread(target=self._watch, name="bench-stall-watchdog", daemon=True)
            self._watchdog.start()

    def stop(self) -> float:
        self.timer.stop()
        self._sched_text = self._sched_at_stop()
        self._watching.clear()
        if self._watchdog is not None:
            self._watchdog.join(2)
            for where, n in sorted(self._samples.items(), key=lambda kv: -kv[1])[:12]:
                print(f"STALL-STACK {n:4d} × 10 ms: {where}")
            print(f"STALL-SCHED GUI thread over the run: {self.sched_summary()}")
        return max(0, max(self.gaps[1:], default=0) - 5)

    def summary(self) -> str:
        gaps = np.array(self.gaps[1:] or [0]) - 5
        return f"p99 {np.percentile(gaps, 99):.0f} ms, {int((gaps > 20).sum())} of {gaps.size} ticks late by > 20 ms"


class PlainReader:
    """Reference: the textbook OpenCV latest-frame reader (a thread reads continuously, keeps the newest frame)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.latest: Optional[np.ndarray] = None
        self.frames = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-plain-reader")

    def _run(self) -> None:
        import cv2

        cap = cv2.VideoCapture(self.url, cv2.CAP_FFMPEG)
        while not self._stop.is_set():
            ok, frame = cap.read()
            if ok:
                self.latest = frame
                self.frames += 1
        cap.release()

    def __enter__(self) -> PlainReader:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def age_ms(self) -> Optional[float]:
        frame = self.latest
        ms = timecode.decode(frame) if frame is not None else None
        return None if ms is None else time.time() * 1000 - ms


def screen_age_ms(viewer, source_width: int) -> Optional[float]:  # noqa: ANN001
    """Age of the picture on screen: grab the strip of the window holding the painted code and decode it."""
    video = viewer.video
    rect = video.image_rect
    if rect.isEmpty():
        return None
    scale = rect.width() / source_width
    band = int(np.ceil((timecode.block_size(source_width) + 3) * scale)) + 1
    window = video.window()
    origin = video.mapTo(window, rect.topLeft())
    pixmap = QGuiApplication.primaryScreen().grabWindow(window.winId(), origin.x(), origin.y(), rect.width(), band)
    now = time.time() * 1000
    image = pixmap.toImage().convertToFormat(QImage.Format_RGB32)
    ptr = image.constBits()
    ptr.setsize(image.sizeInBytes())
    arr = np.frombuffer(ptr, np.uint8).reshape(image.height(), image.bytesPerLine())[:, : image.width() * 4]
    bgr = arr.reshape(image.height(), image.width(), 4)[:, :, :3]
    ms = timecode.decode_scaled(bgr, source_width)
    return None if ms is None else now - ms


class PaintedAges:
    """Age of each newly painted frame at the moment its paint ended (from the frame's own pixels)."""

    def __init__(self, viewer) -> None:  # noqa: ANN001
        self.viewer = viewer
        self.ages: list[float] = []
        viewer.video.painted_new.connect(self._painted)

    def _painted(self) -> None:
        frame = self.viewer.video.painted_tag
        ms = timecode.decode(frame.image) if frame is not None else None
        if ms is not None:
            self.ages.append(time.time() * 1000 - ms)


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


@pytest.fixture
def controller(qgis_iface, server, tmp_path):  # noqa: ANN001
    ctl = CameraController(qgis_iface)
    ctl.snapshot_dir = tmp_path
    ctl.set_layer(camera_layer(server), start_health=False)
    yield ctl
    ctl.unload()


@pytest.mark.parametrize(
    ("label", "cid", "ref_mount", "width"), [("720p", "C01", "cam02", 1280), ("360p", "S03", "cam04", 640)]
)
def test_onscreen_latency_loaded(controller, server, bench_record, label, cid, ref_mount, width):  # noqa: ANN001
    ref_url = server.url(ref_mount, sub=(label == "360p"))
    with Busy(), PlainReader(ref_url) as plain:
        viewer = controller.open_camera(cid)
        assert wait_until(lambda: viewer.displayed > 0, 15), viewer.status()
        viewer.measure_latency = True
        painted = PaintedAges(viewer)
        QTest.qWait(2000)  # settle
        viewer.latencies_ms.clear()
        painted.ages.clear()
        screen: list[float] = []
        reference: list[float] = []
        misses = 0
        timer = QTimer()
        timer.setInterval(SAMPLE_MS)

        def sample() -> None:
            nonlocal misses
            age = screen_age_ms(viewer, width)
            if age is None:
                misses += 1
            else:
                screen.append(age)
            ref = plain.age_ms()
            if ref is not None:
                reference.append(ref)

        timer.timeout.connect(sample)
        meter = StallMeter()
        shown0, paint0, paint_s0 = viewer.displayed, viewer.video.paint_count, viewer.video.paint_seconds
        paint_cpu0 = viewer.video.paint_cpu_seconds
        frames0, plain0, t0 = viewer.reader.status().frames, plain.frames, time.monotonic()
        meter.start()
        timer.start()
        QTest.qWait(int(DURATION_S * 1000))
        timer.stop()
        stall = meter.stop()
        wall = time.monotonic() - t0
        painted_fps = (viewer.displayed - shown0) / wall
        decoded_fps = (viewer.reader.status().frames - frames0) / wall
        plain_fps = (plain.frames - plain0) / wall
        paints = viewer.video.paint_count - paint0
        paint_ms = 1000 * (viewer.video.paint_seconds - paint_s0) / max(1, paints)
        paint_cpu_ms = 1000 * (viewer.video.paint_cpu_seconds - paint_cpu0) / max(1, paints)
        taken = list(viewer.latencies_ms)
        viewer.close()
    ours95, ref95 = pct(screen, 95), pct(reference, 95)
    note = (
        f"on screen p50 {pct(screen, 50):.0f}; taken p50/p95 {pct(taken, 50):.0f}/{pct(taken, 95):.0f}; "
        f"painted p50/p95 {pct(painted.ages, 50):.0f}/{pct(painted.ages, 95):.0f}; plain OpenCV p50 "
        f"{pct(reference, 50):.0f}; ours/reference p95 = {ours95 / ref95:.2f}; {len(screen)} screen samples "
        f"({misses} unreadable) over {wall:.0f} s; decoded {decoded_fps:.1f} fps, painted {painted_fps:.1f} fps "
        f"(plain reader {plain_fps:.1f}); paint CPU/wall {paint_cpu_ms:.2f}/{paint_ms:.2f} ms; "
        f"GUI longest stall {stall:.0f} ms; our RTSP backend {rtsp_backend()}; {load_note()}"
    )
    bench_record(
        f"camera_onscreen_latency_p95_{label}_loaded_ms",
        ours95,
        "ms",
        reference=ref95,
        reference_name="plain OpenCV latest-frame reader, same run (p95 age of its newest frame)",
        target="<= 250" if label == "720p" else "<= 180",
        note=note,
    )
    bench_record(
        f"camera_paint_cpu_ms_per_frame_{label}",
        paint_cpu_ms,
        "ms",
        target="< 1",
        note=f"GUI-thread CPU time per paintEvent over {paints} paints; wall {paint_ms:.2f} ms (includes waiting "
        f"for the CPU and the GIL on the loaded machine); {load_note()}",
    )


IDLE_TIMER_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from qgis.PyQt.QtCore import QCoreApplication, QElapsedTimer, QTimer
    app = QCoreApplication([])
    clock, gaps, last = QElapsedTimer(), [], [0]
    def tick():
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    clock.start()
    timer.start()
    QTimer.singleShot(int(float(sys.argv[1]) * 1000), app.quit)
    app.exec_()
    gaps = sorted(g - 5 for g in gaps[1:]) or [0]
    print("IDLE", max(0, gaps[-1]), gaps[int(0.99 * (len(gaps) - 1))], flush=True)
    """
)


class IdleTimerProcess:
    """Reference for the GUI stall: a separate process whose Qt event loop does nothing but a 5 ms timer, beside the
    measurement. Its longest gap is what the machine's load alone does to a thread that needs almost no CPU."""

    def __init__(self, seconds: float) -> None:
        env = dict(os.environ)
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", IDLE_TIMER_SCRIPT, str(seconds)], stdout=subprocess.PIPE, text=True, env=env
        )

    def result(self) -> tuple[float, float]:
        """(longest stall, p99) in ms; NaN when the process failed."""
        try:
            out, _ = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            return float("nan"), float("nan")
        line = next((ln for ln in out.splitlines() if ln.startswith("IDLE ")), "")
        return (float(line.split()[1]), float(line.split()[2])) if line else (float("nan"), float("nan"))


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds per thread name of a process (threads of one name summed), from /proc."""
    out: dict[str, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        name = name.rstrip("0123456789:-_") or name
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return out


def cpu_by_thread(before: dict[str, float], after: dict[str, float], wall: float) -> str:
    use = {k: (after.get(k, 0.0) - before.get(k, 0.0)) / wall for k in after}
    top = sorted(use.items(), key=lambda kv: -kv[1])[:8]
    return f"{sum(use.values()):.2f} cores: " + ", ".join(f"{k} {v:.2f}" for k, v in top)


def test_grid_9_at_360p_loaded(controller, server, bench_record):  # noqa: ANN001
    with Busy():
        grid = controller.open_grid([f"C{i:02d}" for i in range(1, N_GRID + 1)])
        assert wait_until(lambda: all(t.displayed > 0 for t in grid.tiles), 20), [t.status() for t in grid.tiles]
        QTest.qWait(2000)  # settle
        tile_ages: list[float] = []
        timer = QTimer()
        timer.setInterval(100)
        timer.timeout.connect(
            lambda: tile_ages.append(a) if (a := screen_age_ms(grid.tiles[0], 640)) is not None else None
        )
        start = {t.camera.camera_id: (t.displayed, t.reader.status().frames) for t in grid.tiles}
        paint0 = {t.camera.camera_id: (t.video.paint_count, t.video.paint_cpu_seconds) for t in grid.tiles}
        meter = StallMeter()
        ours0, server0 = thread_cpu(os.getpid()), thread_cpu(server.proc.pid)
        idle = IdleTimerProcess(DURATION_S)
        w0 = time.monotonic()
        meter.start()
        timer.start()
        QTest.qWait(int(DURATION_S * 1000))
        timer.stop()
        stall = meter.stop()
        wall = time.monotonic() - w0
        idle_stall, idle_p99 = idle.result()
        cpu_note = (
            f"CPU: QGIS process {cpu_by_thread(ours0, thread_cpu(os.getpid()), wall)}; "
            f"RTSP server {cpu_by_thread(server0, thread_cpu(server.proc.pid), wall)}"
        )
        painted = [(t.displayed - start[t.camera.camera_id][0]) / wall for t in grid.tiles]
        decoded = [(t.reader.status().frames - start[t.camera.camera_id][1]) / wall for t in grid.tiles]
        paints = sum(t.video.paint_count - paint0[t.camera.camera_id][0] for t in grid.tiles)
        paint_s = sum(t.video.paint_cpu_seconds - paint0[t.camera.camera_id][1] for t in grid.tiles)
        tile_w = grid.tiles[0].video.image_rect.width()
        grid.close()
    note = f"{load_note()}; tile {tile_w} px wide; over {wall:.0f} s"
    bench_record(
        "grid9_360p_painted_fps_min_loaded",
        min(painted),
        "fps",
        target=">= 20",
        note=f"painted per tile min/mean {min(painted):.1f}/{statistics.mean(painted):.1f}; decoded min/mean "
        f"{min(decoded):.1f}/{statistics.mean(decoded):.1f}; tile 0 on screen age p50/p95 "
        f"{pct(tile_ages, 50):.0f}/{pct(tile_ages, 95):.0f} ms; {note}",
    )
    bench_record(
        "grid9_gui_longest_stall_loaded_ms",
        stall,
        "ms",
        reference=idle_stall,
        reference_name="longest gap of a 5 ms timer in a separate idle Qt process, same run (the load alone)",
        target="<= 50",
        note=f"{meter.summary()}; the idle process's p99 {idle_p99:.0f} ms; GUI thread {meter.sched_summary()}; "
        f"{cpu_note}; {note}",
    )
    bench_record(
        "grid9_paint_cpu_ms_per_tile",
        1000 * paint_s / max(1, paints),
        "ms",
        target="< 1",
        note=f"GUI-thread CPU time per tile paintEvent, {paints} paints; {note}",
    )


FIRST_FRAME_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    t_process = time.monotonic()
    from qgis.core import QgsApplication, QgsFeature, QgsField, QgsGeometry, QgsPointXY, QgsVectorLayer
    from qgis.gui import QgsMapCanvas
    from qgis.PyQt.QtCore import QTimer, QVariant
    from qgis.PyQt.QtWidgets import QMainWindow
    from pytest_qgis.mock_qgis_classes import MockMessageBar
    from pytest_qgis.qgis_interface import QgisInterface

    url, delay = sys.argv[1], float(sys.argv[2])
    app = QgsApplication([], True)
    app.initQgis()
    main = QMainWindow()
    canvas = QgsMapCanvas(main)
    iface = QgisInterface(canvas, MockMessageBar(), main)
    t_plugin = time.monotonic()
    from ioc_qgis_plugin.gui.camera_controller import CameraController  # what the plugin's initGui does
    ctl = CameraController(iface)
    layer = QgsVectorLayer("Point?crs=EPSG:4326", "cameras", "memory")
    layer.dataProvider().addAttributes([QgsField(n, QVariant.String) for n in ("camera_id", "name", "stream_url")])
    layer.updateFields()
    f = QgsFeature(layer.fields())
    f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(106.0, 21.0)))
    f.setAttributes(["C01", "cam01", url])
    layer.dataProvider().addFeatures([f])
    ctl.set_layer(layer, start_health=False)
    main.show()
    out = {"plugin_after_s": t_plugin - t_process}

    def click():
        out["click_after_plugin_s"] = time.monotonic() - t_plugin
        t_click = time.monotonic()
        viewer = ctl.open_camera("C01")

        def shown(_cid, _dt):
            out["first_frame_s"] = time.monotonic() - t_click
            QTimer.singleShot(0, app.quit)

        viewer.first_frame.connect(shown)

    QTimer.singleShot(int(delay * 1000), click)
    QTimer.singleShot(20000, app.quit)
    app.exec_()
    ctl.unload()
    print("RESULT " + json.dumps(out), flush=True)
    """
)


def _fresh_first_frame(tmp_path: Path, url: str, delay: float) -> dict:
    script = tmp_path / "first_frame.py"
    script.write_text(FIRST_FRAME_SCRIPT)
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    proc = subprocess.run(
        [sys.executable, str(script), url, str(delay)], capture_output=True, text=True, timeout=60, env=env
    )
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), "")
    return json.loads(line[7:]) if line else {"error": proc.stderr[-500:]}


def test_first_frame_in_a_fresh_process(server, bench_record, tmp_path):  # noqa: ANN001
    """Click → first frame on screen in a QGIS process started for it (OpenCV not yet imported), 720p, median
    of 5. The click comes 1 s after the plugin was created: in the desktop QGIS still loads the project and
    shows its window after initGui. The same with a click at once is recorded too."""
    runs = {}
    with Busy():
        for delay in (1.0, 0.0):
            runs[delay] = [_fresh_first_frame(tmp_path, server.url("cam05"), delay) for _ in range(5)]
    firsts = [r["first_frame_s"] for r in runs[1.0] if "first_frame_s" in r]
    at_once = [r["first_frame_s"] for r in runs[0.0] if "first_frame_s" in r]
    bench_record(
        "camera_first_frame_fresh_process_s",
        statistics.median(firsts) if firsts else float("nan"),
        "s",
        target="<= 1.0",
        note=f"runs {', '.join(f'{x:.2f}' for x in firsts)}; click 1 s after the plugin started "
        f"(QGIS start {statistics.median(r.get('plugin_after_s', 0) for r in runs[1.0]):.1f} s before it); "
        f"{load_note()}",
    )
    bench_record(
        "camera_first_frame_fresh_process_click_at_once_s",
        statistics.median(at_once) if at_once else float("nan"),
        "s",
        note=f"runs {', '.join(f'{x:.2f}' for x in at_once)}; click in the first event-loop turn after the plugin "
        f"started (OpenCV still importing on the worker thread); {load_note()}",
    )


def test_recovery_after_restart(bench_record):
    """10 restarts of the RTSP server at random points of the reader's backoff; production reader defaults."""
    rng = random.Random(19)
    srv = RtspServerProcess(count=1, size=(640, 360), sub_size=(320, 180)).start()
    port = srv.port
    reader = FrameReader(srv.url("cam01")).start()  # production defaults: backoff 0.5 → 4 s
    times, from_spawn, downs = [], [], []
    try:
        with Busy():
            assert wait_until(lambda: reader.status().state == State.LIVE, 15)
            for _ in range(10):
                srv.kill()
                down = rng.uniform(0.2, 8.0)  # lands anywhere in the 0.5 → 4 s backoff sequence
                downs.append(down)
                QTest.qWait(int(down * 1000))
                seq = reader.latest().seq if reader.latest() else 0
                spawn = time.monotonic()
                srv = RtspServerProcess(port=port, count=1, size=(640, 360), sub_size=(320, 180)).start()
                ready = time.monotonic()
                ok = wait_until(lambda s=seq: reader.latest() is not None and reader.latest().seq > s, 20)
                if ok:
                    times.append(time.monotonic() - ready)
                    from_spawn.append(time.monotonic() - spawn)
                QTest.qWait(1000)
    finally:
        reader.stop()
        srv.stop()
    bench_record(
        "camera_recovery_after_restart_p95_s",
        pct(times, 95) if len(times) == 10 else float("nan"),
        "s",
        target="<= 2.0",
        note=f"from the server listening again to the next frame, {len(times)}/10 recovered; p50 "
        f"{pct(times, 50):.2f} s; max {max(times, default=float('nan')):.2f} s; including the server's own start "
        f"p95 {pct(from_spawn, 95):.2f} s; down for {', '.join(f'{d:.1f}' for d in downs)} s; {load_note()}",
    )
