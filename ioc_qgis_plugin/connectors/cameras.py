"""Camera stream URLs: credentials go in only at connect time and never appear in anything shown or logged.

`with_credentials(url, user, password)` is called right before a reader opens the stream; `mask_url(url)` (and
`mask_text` for free text such as exception messages) is used for every URL that reaches a label, tooltip or log.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

MASK = "***"
_URL_CRED = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<cred>[^/@\s]+)@")


def _netloc(host: str, port: int | None) -> str:
    host = f"[{host}]" if host and ":" in host else host
    return f"{host}:{port}" if port else host


def strip_credentials(url: str) -> str:
    parts = urlsplit(url)
    if not (parts.username or parts.password):
        return url
    return urlunsplit(parts._replace(netloc=_netloc(parts.hostname or "", parts.port)))


def with_credentials(url: str, user: str, password: str) -> str:
    """The URL with `user:password@` (percent-encoded) replacing any credentials it had; unchanged if no user."""
    if not url or not user:
        return url
    parts = urlsplit(url)
    cred = quote(user, safe="") + (":" + quote(password, safe="") if password else "")
    return urlunsplit(parts._replace(netloc=f"{cred}@{_netloc(parts.hostname or '', parts.port)}"))


def mask_url(url: str) -> str:
    """`rtsp://***:***@host:554/path` when the URL carries credentials; query parameters that look secret masked."""
    if not url:
        return url
    masked = mask_text(url)
    return re.sub(r"(?i)([?&](?:password|passwd|pwd|pass|token|key|auth|user|username)=)[^&#]*", r"\1" + MASK, masked)


def mask_text(text: str) -> str:
    """Mask credentials of every URL inside free text (error messages, log lines)."""

    def repl(m: re.Match) -> str:
        cred = m.group("cred")
        return m.group("scheme") + (f"{MASK}:{MASK}@" if ":" in cred else f"{MASK}@")

    return _URL_CRED.sub(repl, text or "")


def has_credentials(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.username or parts.password)
