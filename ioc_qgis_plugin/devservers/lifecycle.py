"""How the local servers end: SIGTERM (a service manager, `kill`, the demo launcher) stops them like Ctrl-C."""

from __future__ import annotations

import signal
import threading
from socketserver import BaseServer


def stop_on_sigterm(server: BaseServer) -> None:
    """On SIGTERM, make ``server.serve_forever()`` return, so the caller's ``finally`` cleans up.

    Python's default for SIGTERM ends the process at once, skipping ``finally`` blocks: the CKAN server's
    temporary upload folder was left behind on every stop. ``shutdown()`` waits for the serving loop, so it
    runs in its own thread; a signal that comes before the loop starts ends it as soon as it does.
    """

    def _stop(signum: int, frame: object) -> None:
        threading.Thread(target=server.shutdown, name="sigterm-shutdown", daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
