"""Local demo/test cameras: a GStreamer RTSP server on 127.0.0.1 serving moving test patterns.

    python -m ioc_qgis_plugin.devservers.rtsp_server --port 8554 --count 50 [--size 1280x720] [--sub-size 640x360]

Mounts /cam01 … /camNN (main stream) and /cam01_sub … (sub-stream). Every frame carries the camera name, a readable
clock and a machine-readable timestamp (video.timecode) written when the frame is made, so a client can measure
latency by decoding the picture. Frames are generated in Python (numpy/OpenCV) and pushed through appsrc; a
pipeline exists only while a client is connected (one pipeline per client, so each starts on a key frame).

Prints `READY rtsp://127.0.0.1:PORT/` on stdout when listening; stops on SIGTERM/SIGINT.
`RtspServerProcess` runs it in a subprocess for tests and the demo.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Optional

import numpy as np

from ..video import timecode

HOST = "127.0.0.1"


def parse_size(text: str) -> tuple[int, int]:
    w, h = text.lower().split("x")
    return int(w), int(h)


class PatternSource:
    """Makes BGR frames: sliding colour bars, a bouncing square, camera name, clock and the timestamp code."""

    def __init__(self, name: str, width: int, height: int, fps: int, seed: int = 0) -> None:
        import cv2

        self._cv2 = cv2
        self.name, self.width, self.height, self.fps = name, width, height, fps
        x = np.arange(2 * width)
        bars = np.array(
            [[192, 192, 192], [0, 192, 192], [192, 192, 0], [0, 192, 0], [192, 0, 192], [0, 0, 192], [192, 0, 0]],
            dtype=np.uint8,
        )
        row = bars[(x * 7 // width) % 7]
        shade = np.linspace(0.55, 1.0, height, dtype=np.float32)[:, None, None]
        # pattern is twice the frame width so a moving window never needs wrap-around
        self._pattern = (row[None, :, :] * shade).astype(np.uint8)
        self._phase = (seed * 37) % width
        self.frame_no = 0

    def next_frame(self) -> np.ndarray:
        cv2 = self._cv2
        w, h, n = self.width, self.height, self.frame_no
        off = (self._phase + n * max(1, w // 200)) % w
        frame = np.ascontiguousarray(self._pattern[:, off : off + w])
        s = max(8, h // 8)
        t = n / self.fps
        x = int((w - s) * (0.5 + 0.5 * np.sin(t * 1.3)))
        y = int((h - s) * (0.5 + 0.5 * np.sin(t * 1.9 + 1.0)))
        cv2.rectangle(frame, (x, y), (x + s, y + s), (255, 255, 255), -1)
        now = time.time()
        clock = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now)) + f".{int(now * 1000) % 1000:03d}"
        scale = max(0.4, h / 480)
        thick = max(1, int(scale * 2))
        y0 = timecode.block_size(w) + int(30 * scale)
        for i, text in enumerate((self.name, clock)):
            org = (10, y0 + int(i * 34 * scale))
            cv2.putText(frame, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thick + 3, cv2.LINE_AA)
            cv2.putText(frame, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), thick, cv2.LINE_AA)
        # the code is written last, with the time the frame is handed to the encoder
        timecode.encode(frame, int(time.time() * 1000))
        self.frame_no += 1
        return frame


class _Feeder:
    """Pushes frames into one client's appsrc at the stream's frame rate, from appsrc's own streaming thread."""

    def __init__(self, source: PatternSource, i420: bool = False) -> None:
        self.source = source
        self.i420 = i420
        self.next_at = 0.0

    def on_need_data(self, appsrc, _length) -> None:  # noqa: ANN001 - GStreamer element
        from gi.repository import Gst

        now = time.monotonic()
        if self.next_at == 0.0:
            self.next_at = now
        if self.next_at > now:
            time.sleep(self.next_at - now)
        self.next_at = max(self.next_at + 1.0 / self.source.fps, time.monotonic() - 1.0 / self.source.fps)
        frame = self.source.next_frame()
        if self.i420:
            # OpenCV's SIMD conversion costs a quarter of GStreamer's videoconvert (≈ 0.13 vs 0.56 ms at 360p)
            frame = self.source._cv2.cvtColor(frame, self.source._cv2.COLOR_BGR2YUV_I420)
        data = frame.tobytes()
        buf = Gst.Buffer.new_wrapped(data)
        buf.duration = Gst.SECOND // self.source.fps
        appsrc.emit("push-buffer", buf)


def _key_frame_on_play(enc, state) -> None:  # noqa: ANN001
    # The key frame made while the media prerolled (at DESCRIBE) never reaches the client; without a fresh one the
    # client waits a whole GOP for its first picture.
    import sys

    from gi.repository import Gst, GstVideo

    print("state", state, file=sys.stderr, flush=True)
    if state == Gst.State.PLAYING:
        enc.get_static_pad("src").send_event(
            GstVideo.video_event_new_upstream_force_key_unit(Gst.CLOCK_TIME_NONE, True, 0)
        )


def _make_factory(name: str, width: int, height: int, fps: int, seed: int):  # noqa: ANN202
    from gi.repository import GstRtspServer

    kbps = max(300, width * height * fps // 12000)
    # The demo runs on the operator's machine (a real camera encodes on its own chip): frames are handed over as
    # I420 made by OpenCV when the size allows (4:2:0 needs even sides), not through a videoconvert.
    i420 = width % 2 == 0 and height % 2 == 0
    convert = "" if i420 else "! videoconvert ! video/x-raw,format=I420 "
    launch = (
        f"( appsrc name=src is-live=true format=time do-timestamp=true block=false "
        f"caps=video/x-raw,format={'I420' if i420 else 'BGR'},width={width},height={height},framerate={fps}/1 "
        f"{convert}"
        f"! x264enc name=enc tune=zerolatency speed-preset=ultrafast key-int-max={fps} bitrate={kbps} threads=1 "
        f"! video/x-h264,profile=constrained-baseline ! rtph264pay name=pay0 pt=96 config-interval=-1 )"
    )
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch)
    factory.set_shared(False)  # one pipeline per client: starts on a key frame, stops when the client leaves
    factory.set_suspend_mode(GstRtspServer.RTSPSuspendMode.RESET)

    def on_configure(_factory, media) -> None:  # noqa: ANN001
        appsrc = media.get_element().get_child_by_name("src")
        feeder = _Feeder(PatternSource(name, width, height, fps, seed), i420=i420)
        appsrc.connect("need-data", feeder.on_need_data)
        media._ioc_feeder = feeder  # keep it alive as long as the media
        enc = media.get_element().get_child_by_name("enc")
        media.connect("new-state", lambda _m, state: _key_frame_on_play(enc, state))

    factory.connect("media-configure", on_configure)
    return factory


def serve(
    port: int,
    count: int,
    size: tuple[int, int],
    sub_size: tuple[int, int],
    fps: int,
    user: str = "",
    password: str = "",
    ready_file: Optional[str] = None,
) -> int:
    import gi

    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtspServer", "1.0")
    from gi.repository import GLib, Gst, GstRtspServer

    Gst.init(None)
    # Load what the first client would otherwise wait for (OpenCV for the pattern, the encoder and payloader
    # plugins): a camera that comes back answers its first DESCRIBE at full speed, as a real one does.
    PatternSource("warm-up", *size, fps).next_frame()
    for element in ("appsrc", "videoconvert", "x264enc", "rtph264pay"):
        Gst.ElementFactory.make(element, None)
    server = GstRtspServer.RTSPServer()
    server.set_address(HOST)
    server.set_service(str(port))
    mounts = server.get_mount_points()
    if user:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "viewer")
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
        server.set_auth(auth)
    for i in range(1, count + 1):
        name = f"cam{i:02d}"
        for suffix, (w, h) in (("", size), ("_sub", sub_size)):
            factory = _make_factory(name + suffix, w, h, fps, i)
            if user:
                perms = GstRtspServer.RTSPPermissions()
                perms.add_role("viewer")
                perms.add_permission_for_role("viewer", "media.factory.access", True)
                perms.add_permission_for_role("viewer", "media.factory.construct", True)
                factory.set_permissions(perms)
            mounts.add_factory(f"/{name}{suffix}", factory)
    if server.attach(None) == 0:
        print(f"ERROR cannot listen on {HOST}:{port}", file=sys.stderr, flush=True)
        return 2
    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_HIGH, sig, loop.quit)
    bound = server.get_bound_port()
    line = f"READY rtsp://{HOST}:{bound}/ count={count}"
    print(line, flush=True)
    if ready_file:
        Path(ready_file).write_text(line + "\n")
    loop.run()
    print("STOPPED", flush=True)
    return 0


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--port", type=int, default=8554, help="0 = any free port (printed in the READY line)")
    p.add_argument("--count", type=int, default=50)
    p.add_argument("--size", type=parse_size, default=(1280, 720))
    p.add_argument("--sub-size", type=parse_size, default=(640, 360))
    p.add_argument("--fps", type=int, default=25)
    p.add_argument("--user", default="", help="require RTSP basic auth with this user")
    p.add_argument("--password", default=os.environ.get("IOC_RTSP_PASSWORD", ""), help="or env IOC_RTSP_PASSWORD")
    p.add_argument("--ready-file", default=None)
    a = p.parse_args(argv)
    return serve(a.port, a.count, a.size, a.sub_size, a.fps, a.user, a.password, a.ready_file)


class RtspServerProcess:
    """The server in a subprocess: `with RtspServerProcess(count=4, size=(320, 240)) as srv: srv.url("cam01")`."""

    def __init__(
        self,
        port: int = 0,
        count: int = 4,
        size: tuple[int, int] = (640, 360),
        sub_size: tuple[int, int] = (320, 180),
        fps: int = 25,
        user: str = "",
        password: str = "",
        start_timeout: float = 15.0,
    ) -> None:
        self.port, self.count, self.size, self.sub_size, self.fps = port, count, size, sub_size, fps
        self.user, self.password, self.start_timeout = user, password, start_timeout
        self.proc: Optional[subprocess.Popen] = None

    def start(self) -> RtspServerProcess:
        cmd = [
            sys.executable,
            "-m",
            "ioc_qgis_plugin.devservers.rtsp_server",
            "--port",
            str(self.port),
            "--count",
            str(self.count),
            "--size",
            "{}x{}".format(*self.size),
            "--sub-size",
            "{}x{}".format(*self.sub_size),
            "--fps",
            str(self.fps),
        ]
        env = dict(os.environ)
        pkg_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = pkg_root + os.pathsep + env.get("PYTHONPATH", "")
        if self.user:
            cmd += ["--user", self.user]
            env["IOC_RTSP_PASSWORD"] = self.password  # not on the command line, where `ps` would show it
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        ready: list[str] = []
        reader = threading.Thread(target=lambda: ready.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(self.start_timeout)
        line = ready[0] if ready else ""
        if not line.startswith("READY"):
            self.stop()
            raise RuntimeError(f"RTSP server did not start: {line!r}")
        self.port = int(line.split()[1].rsplit(":", 1)[1].strip("/"))
        return self

    def url(self, mount: str = "cam01", sub: bool = False) -> str:
        return f"rtsp://{HOST}:{self.port}/{mount}{'_sub' if sub else ''}"

    def stop(self, timeout: float = 5.0) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()

    def kill(self) -> None:
        """Die abruptly, as a camera that loses power (tests of stall detection)."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(5)

    def __enter__(self) -> RtspServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":
    sys.exit(main())
