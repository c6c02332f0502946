"""Cheap reachability checks for camera health and for clear error messages (no decoding, no qgis).

`rtsp_describe` sends one RTSP DESCRIBE (with Basic or Digest auth when the URL carries credentials) and returns
the status code; `probe(url)` gives (online, reason) for RTSP and HTTP sources. Reasons never contain the URL.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import socket
import time
from typing import Optional
from urllib.parse import unquote, urlsplit, urlunsplit

from ..connectors.cameras import mask_text


class ProbeError(RuntimeError):
    pass


def _strip_credentials(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")), user, password


def _digest(user: str, password: str, method: str, uri: str, challenge: str) -> str:
    fields = dict(re.findall(r'(\w+)="?([^",]*)"?', challenge))
    realm, nonce = fields.get("realm", ""), fields.get("nonce", "")
    ha1 = hashlib.md5(f"{user}:{realm}:{password}".encode()).hexdigest()  # noqa: S324 - RTSP digest is MD5
    ha2 = hashlib.md5(f"{method}:{uri}".encode()).hexdigest()  # noqa: S324
    if "auth" in fields.get("qop", ""):
        cnonce, nc = os.urandom(8).hex(), "00000001"
        resp = hashlib.md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}".encode()).hexdigest()  # noqa: S324
        return (
            f'Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{uri}", response="{resp}", '
            f'qop=auth, nc={nc}, cnonce="{cnonce}"'
        )
    resp = hashlib.md5(f"{ha1}:{nonce}:{ha2}".encode()).hexdigest()  # noqa: S324
    return f'Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{uri}", response="{resp}"'


def _request(sock: socket.socket, method: str, uri: str, cseq: int, auth: str = "") -> tuple[int, dict[str, str]]:
    lines = [f"{method} {uri} RTSP/1.0", f"CSeq: {cseq}", "User-Agent: ioc-qgis-plugin", "Accept: application/sdp"]
    if auth:
        lines.append(f"Authorization: {auth}")
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise ProbeError("connection closed by the server")
        data += chunk
        if len(data) > 65536:
            raise ProbeError("not an RTSP server")
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    m = re.match(r"RTSP/1\.\d (\d{3})", head[0])
    if not m:
        raise ProbeError("not an RTSP server")
    headers = {}
    for line in head[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers.setdefault(k.strip().lower(), v.strip())
    # drain a body (the SDP) so the connection can be reused
    length = int(headers.get("content-length", "0") or 0)
    body = data.split(b"\r\n\r\n", 1)[1]
    while len(body) < length:
        chunk = sock.recv(length - len(body))
        if not chunk:
            break
        body += chunk
    return int(m.group(1)), headers


def rtsp_describe(url: str, timeout: float = 2.0) -> int:
    """RTSP status code of DESCRIBE on `url` (200, 401, 404 …); raises ProbeError/OSError when unreachable."""
    clean, user, password = _strip_credentials(url)
    parts = urlsplit(clean)
    port = parts.port or (322 if parts.scheme == "rtsps" else 554)
    with socket.create_connection((parts.hostname, port), timeout=timeout) as sock:
        sock.settimeout(timeout)
        code, headers = _request(sock, "DESCRIBE", clean, 1)
        if code == 401 and user:
            challenge = headers.get("www-authenticate", "")
            if challenge.lower().startswith("digest"):
                auth = _digest(user, password, "DESCRIBE", clean, challenge)
            else:
                auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
            code, _ = _request(sock, "DESCRIBE", clean, 2, auth)
        return code


def _describe_reason(code: int, with_credentials: bool) -> str:
    if code == 401:
        return "unauthorized: wrong user/password" if with_credentials else "unauthorized: credentials needed"
    if code == 404:
        return "no such stream on the camera (RTSP 404)"
    return f"RTSP {code}"


NOT_DECODED = "stream announced, but no video could be decoded"


def explain_rtsp_failure(url: str, timeout: float = 2.0) -> str:
    """Why an RTSP open failed, in words an operator can act on."""
    try:
        code = rtsp_describe(url, timeout)
    except socket.timeout:
        return "connected, but the camera does not answer"
    except ConnectionRefusedError:
        return "connection refused (camera or server down)"
    except (OSError, ProbeError) as exc:
        return f"unreachable: {exc.strerror or exc}" if isinstance(exc, OSError) else str(exc)
    if code == 200:
        return NOT_DECODED
    return _describe_reason(code, bool(urlsplit(url).username))


# What a camera's HTTP endpoint may answer with when it really serves pictures; a 200 with a web page (a login
# form, a router's portal) is not a stream, and the viewer could not open it either.
_VIDEO_TYPES = (
    "multipart/",
    "image/",
    "video/",
    "application/vnd.apple.mpegurl",
    "application/x-mpegurl",
    "audio/mpegurl",
    "audio/x-mpegurl",
    "application/octet-stream",
)


def probe(url: str, timeout: float = 2.0) -> tuple[bool, str]:
    """(online, reason) without decoding video: RTSP DESCRIBE or an HTTP GET of the headers.

    Never raises: a malformed URL (port 99999, a bad IPv6 literal) is an offline camera with a reason, so one bad
    record cannot stop the health check of all the others."""
    try:
        return _probe(url, timeout)
    except ValueError as exc:
        return False, f"invalid URL: {mask_text(str(exc))}"
    except Exception as exc:  # noqa: BLE001 - whatever a probe meets becomes a reason, never an exception
        return False, f"probe failed: {type(exc).__name__}"


def _probe(url: str, timeout: float) -> tuple[bool, str]:
    if not url:
        return False, "no URL"
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if not parts.hostname:
        return False, "invalid URL: no host"
    parts.port  # noqa: B018 - raises ValueError for a port out of range, before any socket is made
    started = time.monotonic()
    if scheme in ("rtsp", "rtsps"):
        try:
            code = rtsp_describe(url, timeout)
        except socket.timeout:
            return False, "no answer"
        except ConnectionRefusedError:
            return False, "connection refused"
        except (OSError, ProbeError) as exc:
            return False, str(exc)
        if code == 200:
            return True, f"RTSP 200 in {1000 * (time.monotonic() - started):.0f} ms"
        return False, _describe_reason(code, bool(urlsplit(url).username))
    if scheme in ("http", "https"):
        import requests

        try:
            with _http_get(url, timeout) as resp:
                if resp.status_code < 400:
                    ctype = resp.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
                    if ctype and not ctype.startswith(_VIDEO_TYPES):
                        return False, f"not a video stream (HTTP {resp.status_code} {ctype})"
                    return True, f"HTTP {resp.status_code} in {1000 * (time.monotonic() - started):.0f} ms"
                return False, "unauthorized" if resp.status_code == 401 else f"HTTP {resp.status_code}"
        except requests.RequestException as exc:
            return False, type(exc).__name__
    return False, f"cannot check '{scheme}' sources"


def _http_get(url: str, timeout: float):  # noqa: ANN202 - a streamed requests.Response
    """GET the headers with the URL's credentials: Basic first (what most cameras take, one round trip), and HTTP
    Digest when the camera answers 401 with a Digest challenge — ONVIF snapshot URIs are often Digest-only."""
    import requests
    from requests.auth import HTTPBasicAuth, HTTPDigestAuth

    bare, user, password = _strip_credentials(url)
    if not user:
        return requests.get(url, stream=True, timeout=(timeout, timeout))
    resp = requests.get(bare, stream=True, timeout=(timeout, timeout), auth=HTTPBasicAuth(user, password))
    challenge = resp.headers.get("WWW-Authenticate", "")
    if resp.status_code != 401 or not challenge.lower().lstrip().startswith("digest"):
        return resp
    resp.close()
    return requests.get(bare, stream=True, timeout=(timeout, timeout), auth=HTTPDigestAuth(user, password))


def probe_first(urls: list[str], timeout: float = 2.0) -> tuple[bool, str, Optional[str]]:
    """Probe URLs in order and stop at the first that answers; returns (online, reason, url that answered)."""
    reason = "no URL"
    for url in urls:
        if url:
            ok, reason = probe(url, timeout)
            if ok:
                return True, reason, url
    return False, reason, None
