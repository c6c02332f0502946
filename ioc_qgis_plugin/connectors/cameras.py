"""Camera stream URLs: credentials go in only at connect time and never appear in anything shown or logged.

`with_credentials(url, user, password)` is called right before a reader opens the stream; `mask_url(url)` (and
`mask_text` for free text such as exception messages) is used for every URL that reaches a label, tooltip or log.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit, urlunsplit

MASK = "***"
# Credentials as people type them: the password may hold '@', '/', ':' or a space, so the user-info runs to the
# LAST '@' that is followed by a host (and then a port, path, query, whitespace or the end) before the next URL.
# Masking too much is harmless; masking too little leaks a password into a log.
_HOST_AFTER = r"(?=\[?[A-Za-z0-9._~:%-]+\]?(?::\d+)?(?:[/?#\s,;)'\"]|$))"
_URL_CRED = re.compile(
    r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<cred>(?:(?![a-zA-Z][a-zA-Z0-9+.-]*://)[^\r\n]){1,256}?)@"
    + _HOST_AFTER
    + r"(?!(?:(?![a-zA-Z][a-zA-Z0-9+.-]*://)[^\r\n@])*@"
    + _HOST_AFTER
    + ")"
)
_RAW_URL = re.compile(r"^(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<cred>.*)@(?P<rest>[^@]*)$", re.S)
_UNSAFE_NAME = re.compile(r"[^\w.-]+")


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
    return bool(split_credentials(url)[1])


def split_credentials(url: str) -> tuple[str, str, str]:
    """(URL without credentials, user, password) for a URL as typed: `rtsp://admin:p@ss/w rd@10.0.0.5/live` gives
    user `admin` and password `p@ss/w rd`. Percent-encoded parts are decoded. No credentials → (url, "", "")."""
    text = (url or "").strip()
    m = _RAW_URL.match(text)
    if not m or not re.match(r"\[?[A-Za-z0-9._~:%-]+\]?(?::\d+)?(?:[/?#]|$)", m.group("rest")):
        return text, "", ""
    user, _, password = m.group("cred").partition(":")
    if re.search(r"[/?#\s]", user):  # "cam/path?mail=a@b.org": an '@' in the path or query, not a user
        return text, "", ""
    return m.group("scheme") + m.group("rest"), unquote(user), unquote(password)


def safe_filename(text: str, fallback: str = "camera") -> str:
    """A file-name part from free text (a camera id): no path separators, no '..', no control characters."""
    name = _UNSAFE_NAME.sub("_", re.sub(r"\.{2,}", "_", text or "")).strip("._")
    return name[:80] or fallback
