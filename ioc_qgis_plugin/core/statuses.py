"""Field-report workflow: statuses, their labels (vi/en), allowed transitions and the Open311 mapping."""

from __future__ import annotations

from enum import Enum


class ReportStatus(str, Enum):
    SUBMITTED = "submitted"
    RECEIVED = "received"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES

    def label(self, lang: str = "vi") -> str:
        vi, en = _LABELS[self]
        return vi if lang.startswith("vi") else en

    @property
    def open311(self) -> str:
        """Open311 GeoReport v2 knows only open/closed."""
        return "open" if self.is_open else "closed"


_LABELS = {
    ReportStatus.SUBMITTED: ("Mới gửi", "Submitted"),
    ReportStatus.RECEIVED: ("Đã tiếp nhận", "Received"),
    ReportStatus.ASSIGNED: ("Đã phân công", "Assigned"),
    ReportStatus.IN_PROGRESS: ("Đang xử lý", "In progress"),
    ReportStatus.RESOLVED: ("Đã xử lý", "Resolved"),
    ReportStatus.CLOSED: ("Đã đóng", "Closed"),
    ReportStatus.REJECTED: ("Từ chối", "Rejected"),
    ReportStatus.DUPLICATE: ("Trùng lặp", "Duplicate"),
}

OPEN_STATUSES = frozenset(
    {ReportStatus.SUBMITTED, ReportStatus.RECEIVED, ReportStatus.ASSIGNED, ReportStatus.IN_PROGRESS}
)
# Statuses that end the deadline clock ("resolved" for SLA purposes).
DONE_STATUSES = frozenset({ReportStatus.RESOLVED, ReportStatus.CLOSED})
# Returned to the citizen without handling (counted as "returned" in statistics).
RETURNED_STATUSES = frozenset({ReportStatus.REJECTED, ReportStatus.DUPLICATE})

_S = ReportStatus
TRANSITIONS: dict[ReportStatus, frozenset[ReportStatus]] = {
    _S.SUBMITTED: frozenset({_S.RECEIVED, _S.REJECTED, _S.DUPLICATE}),
    _S.RECEIVED: frozenset({_S.ASSIGNED, _S.IN_PROGRESS, _S.REJECTED, _S.DUPLICATE}),
    _S.ASSIGNED: frozenset({_S.ASSIGNED, _S.IN_PROGRESS, _S.RESOLVED, _S.REJECTED, _S.DUPLICATE}),
    _S.IN_PROGRESS: frozenset({_S.ASSIGNED, _S.RESOLVED, _S.REJECTED}),
    _S.RESOLVED: frozenset({_S.CLOSED, _S.IN_PROGRESS}),  # reopened when the citizen disagrees
    _S.CLOSED: frozenset({_S.IN_PROGRESS}),
    _S.REJECTED: frozenset({_S.RECEIVED}),
    _S.DUPLICATE: frozenset({_S.RECEIVED}),
}


def next_step(current: ReportStatus | str) -> ReportStatus | None:
    """The usual next status: the first allowed one further along the workflow (never a step back, never a
    rejection); None when the workflow only goes back from here (e.g. reopening a closed report)."""
    order = list(ReportStatus)
    cur = ReportStatus(current)
    forward = [s for s in TRANSITIONS[cur] if order.index(s) > order.index(cur) and s not in RETURNED_STATUSES]
    return min(forward, key=order.index) if forward else None


class TransitionError(ValueError):
    pass


def check_transition(old: ReportStatus | str, new: ReportStatus | str) -> ReportStatus:
    """Return the new status or raise TransitionError with a readable reason."""
    old_s, new_s = ReportStatus(old), ReportStatus(new)
    if new_s not in TRANSITIONS[old_s]:
        raise TransitionError(f"cannot change a report from '{old_s.value}' to '{new_s.value}'")
    return new_s


def from_open311(status: str | None) -> ReportStatus:
    """Open311 'open'/'closed' (or a richer status some servers send) to our workflow status."""
    value = (status or "open").strip().lower().replace(" ", "_")
    try:
        return ReportStatus(value)
    except ValueError:
        return ReportStatus.CLOSED if value == "closed" else ReportStatus.RECEIVED
