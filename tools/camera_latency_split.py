"""Where a camera frame's delay goes: the demo RTSP server alone vs each client stack, read from the burned-in time.

    .venv/bin/python tools/camera_latency_split.py [--size 1280x720] [--seconds 15] [--busy 2]

Starts the devserver on a free port of 127.0.0.1 and reads three mounts at once, each frame's age taken when the
client gets it: a bare GStreamer client (rtspsrc latency=0, one decode thread, no clock sync: about the server's
own delay plus a decode), the plugin's reader (`video.sources.open_source`: GStreamer where present) and OpenCV's
FFmpeg backend (the plain reader of the benchmarks). `--busy N` runs N CPU-bound processes beside it (stopped by
PID). Prints p50/p95/max per client and the load average.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Optional

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ioc_qgis_plugin.devservers.rtsp_server import RtspServerProcess, parse_size  # noqa: E402
from ioc_qgis_plugin.video import timecode  # noqa: E402
from ioc_qgis_plugin.video.sources import open_source  # noqa: E402

Reader = Callable[[], Optional[np.ndarray]]


def bare_gstreamer(url: str) -> tuple[Reader, Callable[[], None]]:
    import gi

    gi.require_version("Gst", "1.0")
    from gi.repository import Gst

    Gst.init(None)
    pipeline = Gst.parse_launch(
        f"rtspsrc location={url} latency=0 protocols=tcp ! rtph264depay ! avdec_h264 max-threads=1 ! videoconvert "
        "! video/x-raw,format=BGR ! appsink name=sink sync=false max-buffers=1 drop=true"
    )
    sink = pipeline.get_by_name("sink")
    pipeline.set_state(Gst.State.PLAYING)

    def read() -> Optional[np.ndarray]:
        sample = sink.emit("try-pull-sample", Gst.SECOND // 2)
        if sample is None:
            return None
        caps = sample.get_caps().get_structure(0)
        width = caps.get_value("width")
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        try:
            # only the top rows, where the code is
            rows = timecode.block_size(width) + 4
            return np.frombuffer(info.data, np.uint8, rows * width * 3).reshape(rows, width, 3).copy()
        finally:
            buf.unmap(info)

    return read, lambda: pipeline.set_state(Gst.State.NULL)


def product(url: str) -> tuple[Reader, Callable[[], None]]:
    source = open_source(url, open_timeout=5, read_timeout=3)
    return (lambda: (lambda r: r[1] if r[0] else None)(source.read())), source.release


def opencv_ffmpeg(url: str) -> tuple[Reader, Callable[[], None]]:
    import cv2

    cap = cv2.VideoCapture(url, cv2.CAP_FFMPEG)
    return (lambda: (lambda r: r[1] if r[0] else None)(cap.read())), cap.release


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", type=parse_size, default=(1280, 720))
    p.add_argument("--seconds", type=float, default=15.0)
    p.add_argument("--busy", type=int, default=0)
    a = p.parse_args()
    clients = {"bare GStreamer (≈ server)": bare_gstreamer, "plugin reader": product, "OpenCV FFmpeg": opencv_ffmpeg}
    ages: dict[str, list[float]] = {name: [] for name in clients}
    stop = threading.Event()
    with RtspServerProcess(count=len(clients), size=a.size, sub_size=(640, 360)) as srv:
        opened = [make(srv.url(f"cam{i + 1:02d}")) for i, make in enumerate(clients.values())]
        busy = [subprocess.Popen([sys.executable, "-c", "while True: sum(range(10000))"]) for _ in range(a.busy)]

        def run(name: str, read: Reader) -> None:
            while not stop.is_set():
                image = read()
                now = time.time() * 1000
                ms = timecode.decode(image) if image is not None else None
                if ms is not None:
                    ages[name].append(now - ms)

        threads = [threading.Thread(target=run, args=(n, r)) for n, (r, _) in zip(clients, opened)]
        for t in threads:
            t.start()
        try:
            time.sleep(3)
            for v in ages.values():
                v.clear()
            time.sleep(a.seconds)
        finally:
            stop.set()
            for t in threads:
                t.join(10)
            for _, release in opened:
                release()
            for proc in busy:
                proc.kill()
                proc.wait(5)
    for name, values in ages.items():
        v = np.array(values or [np.nan])
        print(
            f"{name:28s} {len(values) / a.seconds:5.1f} fps  age p50 {np.percentile(v, 50):4.0f}  "
            f"p95 {np.percentile(v, 95):4.0f}  max {np.max(v):4.0f} ms"
        )
    one, five, _ = os.getloadavg()
    print(f"load {one:.1f}/{five:.1f} on {os.cpu_count()} cpu")
    return 0


if __name__ == "__main__":
    sys.exit(main())
