"""Small in-process servers on 127.0.0.1 for tests and the demo: MJPEG over HTTP, snapshot JPEGs, and a "silent"
TCP server that accepts connections and never answers (the camera that hangs).

    with MjpegHttpServer(size=(320, 180), corrupt_every=5) as srv:
        srv.url("/mjpeg"), srv.url("/snapshot.jpg")
"""

from __future__ import annotations

import base64
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional

from ..devservers.rtsp_server import PatternSource

HOST = "127.0.0.1"
BOUNDARY = "iocframe"


class MjpegHttpServer:
    def __init__(
        self,
        size: tuple[int, int] = (320, 180),
        fps: int = 25,
        name: str = "mjpeg01",
        corrupt_every: int = 0,
        die_after: Optional[float] = None,
        user: str = "",
        password: str = "",
        quality: int = 80,
    ) -> None:
        self.size, self.fps, self.name = size, fps, name
        self.corrupt_every, self.die_after, self.quality = corrupt_every, die_after, quality
        self._auth = base64.b64encode(f"{user}:{password}".encode()).decode() if user else ""
        self._stop = threading.Event()
        self._httpd: Optional[ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None
        self.port = 0

    def _jpeg(self, source: PatternSource) -> bytes:
        import cv2

        ok, buf = cv2.imencode(".jpg", source.next_frame(), [cv2.IMWRITE_JPEG_QUALITY, self.quality])
        return buf.tobytes()

    def _handler(self):  # noqa: ANN202
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # noqa: ANN002 - keep test output clean
                pass

            def _authorized(self) -> bool:
                if not outer._auth or self.headers.get("Authorization", "") == f"Basic {outer._auth}":
                    return True
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="camera"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return False

            def do_GET(self) -> None:
                if not self._authorized():
                    return
                if self.path.startswith("/index.html"):  # the camera's web page: HTTP 200, but not a picture
                    page = b"<!doctype html><title>Camera</title><form>login</form>"
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(page)))
                    self.end_headers()
                    self.wfile.write(page)
                    return
                source = PatternSource(outer.name, outer.size[0], outer.size[1], outer.fps)
                if self.path.startswith("/snapshot"):
                    data = outer._jpeg(source)
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                if not self.path.startswith("/mjpeg"):
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY}")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                started = time.monotonic()
                n = 0
                try:
                    while not outer._stop.is_set():
                        if outer.die_after is not None and time.monotonic() - started > outer.die_after:
                            return  # dies mid-stream
                        data = outer._jpeg(source)
                        n += 1
                        if outer.corrupt_every and n % outer.corrupt_every == 0:
                            data = data[:2] + bytes(len(data) // 2) + data[-2:]  # valid markers, garbage inside
                        head = f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(data)}\r\n\r\n"
                        self.wfile.write(head.encode() + data + b"\r\n")
                        self.wfile.flush()
                        outer._stop.wait(1.0 / outer.fps)
                except (BrokenPipeError, ConnectionResetError):
                    return

        return Handler

    def start(self) -> MjpegHttpServer:
        self._stop.clear()
        self._httpd = ThreadingHTTPServer((HOST, self.port), self._handler())
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="ioc-mjpeg-server", daemon=True)
        self._thread.start()
        return self

    def url(self, path: str = "/mjpeg", user: str = "", password: str = "") -> str:
        cred = f"{user}:{password}@" if user else ""
        return f"http://{cred}{HOST}:{self.port}{path}"

    def stop(self) -> None:
        self._stop.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> MjpegHttpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class SilentServer:
    """Accepts TCP connections and never sends a byte."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind((HOST, 0))
        self._sock.listen(16)
        self.port = self._sock.getsockname()[1]
        self._conns: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="ioc-silent-server", daemon=True)

    def _accept(self) -> None:
        self._sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
                self._conns.append(conn)
            except OSError:
                continue

    def start(self) -> SilentServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for c in self._conns:
            c.close()
        self._sock.close()

    def __enter__(self) -> SilentServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
