"""Stopping the child processes a tool started (the demo's services, the stress run's busy processes)."""

from __future__ import annotations

import signal
import subprocess


def stop(procs: list[subprocess.Popen]) -> None:
    """SIGTERM each one still running, give all 10 s to finish, then kill and reap the ones that did not."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
