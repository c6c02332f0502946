"""Local live HLS camera for tests and the demo: GStreamer writes .m3u8 + .ts segments, http.server serves them.

    with HlsServer(size=(320, 180)) as srv:
        srv.url()                # http://127.0.0.1:PORT/live.m3u8
        srv.stop_producing()     # the encoder dies: the playlist stays "live" but no new segment ever comes

The producer is a subprocess (`python -m ioc_qgis_plugin.devservers.hls_server --dir D`) pushing the project's
test-pattern frames (PatternSource, with the burned-in timecode) through appsrc → x264enc → hlssink2 in segments of
`segment_s` (default 1 s; x264's own key frame every second; hlssink2's key frame requests are off, they made 40 ms
stub segments). It prints `READY` once the first playlist exists and exits on SIGTERM/SIGINT without EOS, so the
playlist never gets #EXT-X-ENDLIST (a camera that stops, not a stream that ends). The HTTP side is a standard
library ThreadingHTTPServer on 127.0.0.1 in the calling process.
"""

from __future__ import annotations

import argparse
import functools
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Optional

from .rtsp_server import PatternSource, parse_size

HOST = "127.0.0.1"
PLAYLIST = "live.m3u8"


def produce(directory: str, size: tuple[int, int], fps: int, name: str, segment_s: int = 1) -> int:
    import gi

    gi.require_version("Gst", "1.0")
    from gi.repository import Gst

    Gst.init(None)
    w, h = size
    out = Path(directory)
    pipeline = Gst.parse_launch(
        f"appsrc name=src is-live=true format=time do-timestamp=true "
        f"caps=video/x-raw,format=BGR,width={w},height={h},framerate={fps}/1 "
        f"! videoconvert ! video/x-raw,format=I420 "
        f"! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={fps} threads=1 "
        f"! h264parse ! hlssink2 target-duration={segment_s} playlist-length=5 max-files=10 "
        f"send-keyframe-requests=false "
        f"location={out / 'seg%05d.ts'} playlist-location={out / PLAYLIST}"
    )
    appsrc = pipeline.get_by_name("src")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    pipeline.set_state(Gst.State.PLAYING)
    source = PatternSource(name, w, h, fps)
    ready = False
    next_at = time.monotonic()
    while not stop.is_set():
        buf = Gst.Buffer.new_wrapped(source.next_frame().tobytes())
        buf.duration = Gst.SECOND // fps
        if appsrc.emit("push-buffer", buf) != Gst.FlowReturn.OK:
            print("ERROR pipeline refused a frame", file=sys.stderr, flush=True)
            return 2
        if not ready and (out / PLAYLIST).exists():
            ready = True
            print("READY", flush=True)
        next_at = max(next_at + 1.0 / fps, time.monotonic() - 1.0 / fps)
        stop.wait(max(0.0, next_at - time.monotonic()))
    # No EOS and no teardown on purpose: going to NULL makes hlssink2 append #EXT-X-ENDLIST; a camera whose
    # encoder dies leaves a playlist that still claims to be live.
    sys.stdout.flush()
    os._exit(0)


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".m3u8": "application/vnd.apple.mpegurl",
        ".ts": "video/mp2t",
    }

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, *args) -> None:  # noqa: ANN002 - keep test output clean
        pass


class HlsServer:
    def __init__(
        self,
        size: tuple[int, int] = (320, 180),
        fps: int = 25,
        name: str = "hls01",
        start_timeout: float = 15.0,
        segment_s: int = 1,
    ) -> None:
        self.size, self.fps, self.name, self.start_timeout = size, fps, name, start_timeout
        self.segment_s = segment_s
        self.proc: Optional[subprocess.Popen] = None
        self.port = 0
        self._tmp: Optional[tempfile.TemporaryDirectory] = None
        self._httpd: Optional[ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None

    @property
    def directory(self) -> str:
        return self._tmp.name if self._tmp else ""

    def start(self) -> HlsServer:
        self._tmp = tempfile.TemporaryDirectory(prefix="ioc-hls-")
        handler = functools.partial(_Handler, directory=self._tmp.name)
        self._httpd = ThreadingHTTPServer((HOST, 0), handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="ioc-hls-http", daemon=True)
        self._thread.start()
        cmd = [sys.executable, "-m", "ioc_qgis_plugin.devservers.hls_server", "--dir", self._tmp.name]
        cmd += ["--size", "{}x{}".format(*self.size), "--fps", str(self.fps), "--name", self.name]
        cmd += ["--segment", str(self.segment_s)]
        env = dict(os.environ)
        pkg_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = pkg_root + os.pathsep + env.get("PYTHONPATH", "")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        ready: list[str] = []
        reader = threading.Thread(target=lambda: ready.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(self.start_timeout)
        if not (ready and ready[0].startswith("READY")):
            self.stop()
            raise RuntimeError(f"HLS producer did not start: {ready[:1]!r}")
        return self

    def url(self, path: str = PLAYLIST) -> str:
        return f"http://{HOST}:{self.port}/{path.lstrip('/')}"

    def stop_producing(self, timeout: float = 5.0) -> None:
        """Stop the encoder (by PID); the HTTP server keeps serving the last playlist and segments."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout)
        if proc.stdout:
            proc.stdout.close()

    def stop(self) -> None:
        self.stop_producing()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> HlsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(description="Write a live HLS test stream (.m3u8 + 1 s .ts segments) into a folder")
    p.add_argument("--dir", required=True)
    p.add_argument("--size", type=parse_size, default=(640, 360))
    p.add_argument("--fps", type=int, default=25)
    p.add_argument("--name", default="hls01")
    p.add_argument("--segment", type=int, default=1, help="target segment duration, seconds")
    a = p.parse_args(argv)
    return produce(a.dir, a.size, a.fps, a.name, a.segment)


if __name__ == "__main__":
    sys.exit(main())
