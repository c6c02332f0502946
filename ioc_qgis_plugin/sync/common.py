"""What sync jobs share: progress/cancel hooks (a QgsTask passes its own) and the cancellation exception."""

from __future__ import annotations

import logging
from typing import Callable, Optional

ProgressFn = Callable[[float, str], None]  # (fraction 0..1, message)
CancelFn = Callable[[], bool]

log = logging.getLogger("ioc.sync")


class SyncCancelled(Exception):
    """Raised between two committed steps when the user cancels; what was committed stays committed."""


class Hooks:
    def __init__(self, progress: Optional[ProgressFn] = None, is_cancelled: Optional[CancelFn] = None) -> None:
        self._progress = progress
        self._is_cancelled = is_cancelled

    def progress(self, fraction: float, message: str) -> None:
        if self._progress is not None:
            self._progress(max(0.0, min(1.0, fraction)), message)

    def check_cancel(self) -> None:
        if self._is_cancelled is not None and self._is_cancelled():
            raise SyncCancelled("cancelled by the user")
