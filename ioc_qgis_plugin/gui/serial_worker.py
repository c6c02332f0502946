"""Background jobs handed over without the GUI thread ever waiting for a thread to start."""

from __future__ import annotations

import queue
import threading
from typing import Callable, Optional

Job = Optional[Callable[[], None]]


class SerialWorker:
    """Runs jobs one after another on one long-lived daemon thread, until close().

    Why not a threading.Thread per job: Thread.start() waits until the new thread has run, and on a busy PC the
    GUI thread then waits for the scheduler (tens of ms) every time. This worker starts its thread once, when it
    is made (the plugin makes it at start-up, not while a store opens or a round begins); jobs are only queued.
    One thread keeps jobs in order (a health round, then its write). Jobs report their own errors; one that
    raises does not stop the rest.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._jobs: Optional[queue.SimpleQueue[Job]] = None
        self._idle = threading.Condition()
        self.pending = 0
        self._start()

    def _start(self) -> None:
        self._jobs = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, args=(self._jobs,), name=self.name, daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[[], None]) -> None:
        with self._idle:
            self.pending += 1
        if self._jobs is None:  # closed before: only after a stop, never on the way to a round
            self._start()
        self._jobs.put(fn)

    def _loop(self, jobs: queue.SimpleQueue[Job]) -> None:
        while True:
            fn = jobs.get()
            if fn is None:  # close(): this queue's thread ends; a later submit starts a new one
                return
            try:
                fn()
            except Exception:  # noqa: BLE001, S110 - a job reports its own errors; the next one still runs
                pass
            finally:
                with self._idle:
                    self.pending -= 1
                    self._idle.notify_all()

    def wait(self, timeout_s: float) -> bool:
        """True once every submitted job has finished (False after timeout_s)."""
        with self._idle:
            return self._idle.wait_for(lambda: self.pending == 0, timeout_s)

    def close(self, join_s: float = 0.0) -> None:
        """The thread ends after the jobs already queued; waited for up to join_s (never longer: a hung job cannot
        hang the caller)."""
        if self._jobs is not None:
            self._jobs.put(None)
            self._jobs = None
            self._thread.join(join_s)
