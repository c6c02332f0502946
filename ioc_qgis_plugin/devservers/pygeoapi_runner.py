"""Start a local pygeoapi (test/demo only; pygeoapi is a pip tool, never imported by the plugin) on 127.0.0.1.

with PygeoapiServer(config_path) as srv: requests.get(srv.url + "/collections")
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional

import requests
import yaml


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def available() -> bool:
    try:
        import pygeoapi  # noqa: F401
    except ImportError:
        return False
    return True


class PygeoapiServer:
    def __init__(self, config: Path, port: Optional[int] = None, python: str = sys.executable) -> None:
        self.config = Path(config)
        self.port = port or free_port()
        self.python = python
        self.proc: Optional[subprocess.Popen] = None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> PygeoapiServer:
        cfg = yaml.safe_load(self.config.read_text(encoding="utf-8"))
        cfg["server"]["bind"] = {"host": "127.0.0.1", "port": self.port}
        cfg["server"]["url"] = self.url
        self.config.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
        openapi = self.config.with_suffix(".openapi.yml")
        env = {**os.environ, "PYGEOAPI_CONFIG": str(self.config), "PYGEOAPI_OPENAPI": str(openapi)}
        bindir = Path(self.python).parent
        subprocess.run(
            [str(bindir / "pygeoapi"), "openapi", "generate", str(self.config), "--output-file", str(openapi)],
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
        code = f"from pygeoapi.flask_app import APP; APP.run(host='127.0.0.1', port={self.port}, threaded=True)"
        self.proc = subprocess.Popen(
            [self.python, "-c", code], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"pygeoapi exited: {self.proc.stderr.read().decode()[-2000:]}")
            try:
                if requests.get(f"{self.url}/conformance?f=json", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("pygeoapi did not start in time")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def __enter__(self) -> PygeoapiServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
