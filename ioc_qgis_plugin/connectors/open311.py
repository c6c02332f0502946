"""Open311 GeoReport v2 client (JSON or XML) — pure Python + requests, no QGIS.

Spec methods: discovery, services, service definition, GET requests (filters), GET request, POST request
(api_key), GET token. Listing goes through time windows of at most 90 days; a window whose answer reaches the
server's limit is split in halves until every answer is below it, so nothing is silently cut off.

Two optional extensions, used only when the discovery document's endpoint lists them under "extensions"
(our local server does; other servers simply do not get asked):
  * "updated_window": GET requests accepts updated_after / updated_before (as Chicago's and mySociety's
    servers do) — incremental sync by updated_datetime. Without it, sync re-reads requested_datetime windows.
  * "request_update": POST requests/{id}.{fmt} with status / detailed_status / status_notes /
    agency_responsible and an `Idempotency-Key` header. GeoReport v2 has no update verb; a server without this
    extension gets no status pushes (UpdateNotSupported) and the changes stay in the outbox.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterator, Optional, Sequence

import requests

from . import open311_parse as parse
from .bounded_read import body_pieces, megabytes
from .open311_parse import Open311FormatError, ServiceError

log = logging.getLogger("ioc.open311")

MAX_WINDOW = timedelta(days=90)
EXT_UPDATED_WINDOW = "updated_window"
EXT_REQUEST_UPDATE = "request_update"


class Open311Error(Exception):
    """Base of everything the client raises."""


class Open311HTTPError(Open311Error):
    """The server refused the call (4xx, or 5xx after the retries) — with its error list when it sent one."""

    def __init__(self, status: int, url: str, errors: Sequence[ServiceError] = (), body: str = "") -> None:
        self.status = status
        self.url = url
        self.errors = list(errors)
        detail = "; ".join(map(str, self.errors)) or _plain(body) or "no details"
        if status in (401, 403):
            detail = f"access refused — check the API key / jurisdiction ({detail})"
        super().__init__(f"Open311 server answered HTTP {status} for {url.split('?', 1)[0]}: {detail}")


def _plain(body: str) -> str:
    """A short, markup-free excerpt of an error body (a proxy's XML/HTML page is not shown raw)."""
    text = body.strip()
    if text.startswith("<"):
        text = re.sub(r"<[^>]*>", " ", re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text))
    text = re.sub(r"\s+", " ", text).strip()
    return text[:160] + ("…" if len(text) > 160 else "")


class Open311Unavailable(Open311Error):
    """No answer (connection refused, timeout) after the retries."""


class Open311ContentTypeError(Open311Error, Open311FormatError):
    """The answer is not JSON/XML (a login page, a proxy's HTML error…)."""


class Open311PayloadError(Open311Error, Open311FormatError):
    """The answer claims JSON/XML but cannot be parsed."""


class Open311TooLarge(Open311Error):
    """The answer exceeds the size limit; the download was stopped at the limit (a window is split instead)."""


class Open311Deadline(Open311Unavailable):
    """The server kept the connection busy past the overall deadline (e.g. dripping one byte at a time)."""


class UpdateNotSupported(Open311Error):
    """The server does not declare the request_update extension (plain GeoReport v2 has no update)."""


class WindowTooDense(Open311Error):
    """Even a one-second window reaches the server's limit; the server cannot be listed completely."""


_JSON_TYPES = ("application/json", "text/json", "application/javascript", "text/javascript")
_XML_TYPES = ("application/xml", "text/xml")


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Window:
    start: datetime
    end: datetime
    records: list[dict[str, Any]] = field(default_factory=list)
    splits: int = 0


class Open311Client:
    """One GeoReport v2 endpoint, e.g. `Open311Client("https://city.example/open311/v2", api_key=...)`.

    `api_key` comes from QGIS's auth manager at the GUI layer (never stored in settings or logs).
    """

    def __init__(
        self,
        endpoint: str,
        api_key: Optional[str] = None,
        jurisdiction_id: Optional[str] = None,
        fmt: str = "json",
        timeout: tuple[float, float] = (5.0, 30.0),
        retries: int = 3,
        backoff: float = 0.5,
        page_limit: int = 1000,
        session: Optional[requests.Session] = None,
        sleep: Callable[[float], None] = time.sleep,
        max_bytes: int = 64 * 1024 * 1024,
        deadline_s: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if fmt not in ("json", "xml"):
            raise ValueError("fmt must be 'json' or 'xml'")
        self.endpoint = endpoint.rstrip("/")
        self.api_key = api_key
        self.jurisdiction_id = jurisdiction_id
        self.fmt = fmt
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.page_limit = page_limit
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", "ioc_qgis_plugin-open311")
        self.session.headers["Accept-Encoding"] = "identity"  # bodies are size-limited as sent
        self._sleep = sleep
        self.max_bytes = max_bytes  # per answer; bigger answers are stopped at the limit, never buffered whole
        self.deadline_s = deadline_s  # per HTTP call, whole body included (the read timeout is per socket read)
        self._clock = clock
        self._discovery: Optional[dict[str, Any]] = None
        self._charset: Optional[str] = None  # charset the last answer declared
        self.calls = 0  # HTTP calls made (for tests and the progress log)

    # -- plumbing -----------------------------------------------------------------------------------------
    def _url(self, path: str) -> str:
        return f"{self.endpoint}/{path}.{self.fmt}"

    def _params(self, params: Optional[dict[str, Any]]) -> dict[str, Any]:
        out = {k: v for k, v in (params or {}).items() if v is not None and v != ""}
        if self.jurisdiction_id:
            out.setdefault("jurisdiction_id", self.jurisdiction_id)
        return out

    def _call(
        self,
        method: str,
        path: str,
        params: Optional[dict[str, Any]] = None,
        data: Optional[dict[str, Any]] = None,
        headers: Optional[dict[str, str]] = None,
        retry_unsafe: bool = True,
    ) -> bytes:
        """HTTP call with retries (5xx, 429, timeouts, connection errors) and exponential backoff.

        `retry_unsafe=False` (POST create) retries only failures where the request cannot have reached the server.
        """
        url = self._url(path)
        attempt = 0
        while True:
            attempt += 1
            self.calls += 1
            try:
                resp = self.session.request(
                    method,
                    url,
                    params=self._params(params),
                    data=data,
                    headers=headers,
                    timeout=self.timeout,
                    stream=True,
                )
                body = self._read_body(resp, url)
            except Open311Error:
                raise
            except requests.ConnectionError as exc:
                retryable = retry_unsafe or isinstance(exc, requests.ConnectTimeout) or "refused" in str(exc).lower()
                if attempt <= self.retries and retryable:
                    self._wait(attempt, None, f"{url}: {type(exc).__name__}")
                    continue
                raise Open311Unavailable(f"Open311 server {self.endpoint} unreachable: {exc}") from exc
            except requests.Timeout as exc:
                if attempt <= self.retries and retry_unsafe:
                    self._wait(attempt, None, f"{url}: timeout")
                    continue
                raise Open311Unavailable(f"Open311 server {self.endpoint} did not answer in time: {exc}") from exc
            except requests.RequestException as exc:
                raise Open311Unavailable(f"Open311 call to {url} failed: {exc}") from exc
            text = body[:4096].decode("utf-8", "replace")
            if resp.status_code >= 500 or resp.status_code == 429:
                if attempt <= self.retries and (retry_unsafe or resp.status_code in (429, 503)):
                    self._wait(attempt, resp.headers.get("Retry-After"), f"{url}: HTTP {resp.status_code}")
                    continue
                raise Open311HTTPError(resp.status_code, url, self._errors(body), text)
            if resp.status_code >= 400:
                raise Open311HTTPError(resp.status_code, url, self._errors(body), text)
            self._check_type(resp, body, url)
            self._charset = resp.encoding if "charset=" in resp.headers.get("Content-Type", "").lower() else None
            return body

    def _read_body(self, resp: requests.Response, url: str) -> bytes:
        """The whole body into one buffer, stopping at `max_bytes` and at the overall deadline."""
        started = self._clock()
        declared = resp.headers.get("Content-Length", "")
        try:
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise Open311TooLarge(
                    f"{url.split('?', 1)[0]} announces {int(declared) / 1e6:.1f} MB, more than the "
                    f"{megabytes(self.max_bytes)} limit"
                )
            buf = bytearray()
            for chunk in body_pieces(resp):
                buf += chunk
                if len(buf) > self.max_bytes:
                    raise Open311TooLarge(
                        f"{url.split('?', 1)[0]} sent more than {megabytes(self.max_bytes)}; download stopped"
                    )
                if self._clock() - started > self.deadline_s:
                    raise Open311Deadline(
                        f"{url.split('?', 1)[0]} was still sending after {self.deadline_s:.0f} s "
                        f"({len(buf)} bytes); gave up"
                    )
            return bytes(buf)
        finally:
            resp.close()

    def _wait(self, attempt: int, retry_after: Optional[str], why: str) -> None:
        delay = min(self.backoff * 2 ** (attempt - 1), 30.0)
        if retry_after:
            try:
                delay = min(max(float(retry_after), delay), 60.0)
            except ValueError:
                pass
        log.warning("Open311 retry %d/%d in %.1f s after %s", attempt, self.retries, delay, why)
        self._sleep(delay)

    def _errors(self, text: bytes) -> list[ServiceError]:
        try:
            if text.lstrip().startswith(b"<"):
                return parse.error_list(parse.loads_xml(text))
            return parse.error_list(parse.loads_json(text))
        except (Open311FormatError, ValueError, RecursionError):
            return []

    def _check_type(self, resp: requests.Response, body: bytes, url: str) -> None:
        ctype = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
        wanted = _JSON_TYPES if self.fmt == "json" else _XML_TYPES
        if ctype in wanted or (not ctype and body.strip()):
            return
        if self.fmt == "json" and ctype.endswith("+json") or self.fmt == "xml" and ctype.endswith("+xml"):
            return
        raise Open311ContentTypeError(
            f"{url} answered with content type {ctype[:60] or 'none'!r}, expected {self.fmt.upper()}: "
            f"{_plain(body[:2000].decode('utf-8', 'replace'))[:80]!r}"
        )

    def _parse(self, url: str, fn: Callable[..., Any], body: bytes) -> Any:
        try:
            if self.fmt == "json" and self._charset:
                return fn(parse.decode_body(body, self._charset), self.fmt)
            return fn(body, self.fmt)
        except Open311FormatError as exc:
            raise Open311PayloadError(f"{self._url(url)}: {exc}") from exc

    # -- spec methods -------------------------------------------------------------------------------------
    def discovery(self, refresh: bool = False) -> dict[str, Any]:
        if self._discovery is None or refresh:
            body = self._call("GET", "discovery")
            self._discovery = self._parse("discovery", parse.discovery, body)
        return self._discovery

    def extensions(self) -> set[str]:
        """Extensions the server declares for GeoReport v2 (empty when it has no discovery document)."""
        try:
            doc = self.discovery()
        except Open311HTTPError:
            return set()
        found: set[str] = set()
        for ep in doc.get("endpoints", []) or []:
            if isinstance(ep, dict) and "georeport" in str(ep.get("specification", "")).lower():
                found.update(str(x) for x in ep.get("extensions", []) or [])
        return found

    def supports_updated_window(self) -> bool:
        return EXT_UPDATED_WINDOW in self.extensions()

    def supports_update(self) -> bool:
        return EXT_REQUEST_UPDATE in self.extensions()

    def services(self) -> list[dict[str, Any]]:
        return self._parse("services", parse.service_records, self._call("GET", "services"))

    def service_definition(self, service_code: str) -> dict[str, Any]:
        path = f"services/{requests.utils.quote(str(service_code), safe='')}"
        return self._parse(path, parse.service_definition, self._call("GET", path))

    def requests(
        self,
        service_request_id: Optional[Sequence[str] | str] = None,
        service_code: Optional[Sequence[str] | str] = None,
        start_date: Optional[datetime] = None,
        end_date: Optional[datetime] = None,
        status: Optional[str] = None,
        updated_after: Optional[datetime] = None,
        updated_before: Optional[datetime] = None,
        extra: Optional[dict[str, Any]] = None,
    ) -> list[dict[str, Any]]:
        """GET requests with the spec's filters; raw request dicts (see open311_parse.normalise_batch)."""
        params: dict[str, Any] = dict(extra or {})
        if service_request_id:
            ids = [service_request_id] if isinstance(service_request_id, str) else list(service_request_id)
            params["service_request_id"] = ",".join(map(str, ids))
        if service_code:
            codes = [service_code] if isinstance(service_code, str) else list(service_code)
            params["service_code"] = ",".join(codes)
        for key, value in (
            ("start_date", start_date),
            ("end_date", end_date),
            ("updated_after", updated_after),
            ("updated_before", updated_before),
        ):
            if value is not None:
                params[key] = iso(value)
        if status:
            params["status"] = status
        return self._parse("requests", parse.request_records, self._call("GET", "requests", params))

    def request(self, service_request_id: str) -> Optional[dict[str, Any]]:
        path = f"requests/{requests.utils.quote(str(service_request_id), safe='')}"
        try:
            found = self._parse(path, parse.request_records, self._call("GET", path))
        except Open311HTTPError as exc:
            if exc.status == 404:
                return None
            raise
        return found[0] if found else None

    def create(
        self,
        service_code: str,
        lat: Optional[float] = None,
        long: Optional[float] = None,
        address_string: Optional[str] = None,
        description: Optional[str] = None,
        media_url: Optional[str] = None,
        attributes: Optional[dict[str, str]] = None,
        **contact: str,
    ) -> dict[str, Any]:
        """POST a new request; returns {service_request_id or token, service_notice, account_id}.

        Not retried once the request may have reached the server: a retried create could file it twice.
        """
        if not self.api_key:
            raise Open311Error("creating a request needs an api_key (configure it in the QGIS auth manager)")
        if (lat is None or long is None) and not address_string:
            raise Open311Error("a new request needs lat/long or an address")
        data: dict[str, Any] = {
            "api_key": self.api_key,
            "service_code": service_code,
            "lat": lat,
            "long": long,
            "address_string": address_string,
            "description": description,
            "media_url": media_url,
            **contact,
        }
        if self.jurisdiction_id:
            data["jurisdiction_id"] = self.jurisdiction_id
        for key, value in (attributes or {}).items():
            data[f"attribute[{key}]"] = value
        data = {k: v for k, v in data.items() if v is not None}
        body = self._call("POST", "requests", data=data, retry_unsafe=False)
        found = self._parse("requests", parse.request_records, body)
        if not found:
            raise Open311PayloadError("the server accepted the request but returned no id or token")
        return found[0]

    def token(self, token: str) -> Optional[dict[str, Any]]:
        """Service request id for a token (None while the server has not assigned one)."""
        path = f"tokens/{requests.utils.quote(str(token), safe='')}"
        try:
            found = self._parse(path, parse.request_records, self._call("GET", path))
        except Open311HTTPError as exc:
            if exc.status == 404:
                return None
            raise
        return found[0] if found else None

    def update(
        self,
        service_request_id: str,
        idempotency_key: str,
        status: Optional[str] = None,
        detailed_status: Optional[str] = None,
        status_notes: Optional[str] = None,
        agency_responsible: Optional[str] = None,
    ) -> dict[str, Any]:
        """Push a status change through the "request_update" extension (see module doc); safe to retry."""
        if not self.supports_update():
            raise UpdateNotSupported(
                f"{self.endpoint} does not declare the '{EXT_REQUEST_UPDATE}' extension; GeoReport v2 alone cannot "
                "update a request — changes stay in the outbox"
            )
        data = {
            "api_key": self.api_key,
            "status": status,
            "detailed_status": detailed_status,
            "status_notes": status_notes,
            "agency_responsible": agency_responsible,
            "change_id": idempotency_key,
        }
        path = f"requests/{requests.utils.quote(str(service_request_id), safe='')}"
        body = self._call(
            "POST",
            path,
            data={k: v for k, v in data.items() if v is not None},
            headers={"Idempotency-Key": idempotency_key},
        )
        found = self._parse(path, parse.request_records, body)
        return found[0] if found else {}

    # -- complete listing ---------------------------------------------------------------------------------
    def windows(
        self,
        since: datetime,
        until: datetime,
        by_updated: bool,
        span: timedelta = MAX_WINDOW,
        **filters: Any,
    ) -> Iterator[Window]:
        """Every request in [since, until] window by window, oldest first; dense windows are split so no answer
        reaches `page_limit` (the server's cap, 1000 by default) and nothing is cut off."""
        span = min(span, MAX_WINDOW)
        start = since
        while start < until:
            end = min(start + span, until)
            yield from self._window(start, end, by_updated, filters)
            start = end

    def _window(self, start: datetime, end: datetime, by_updated: bool, filters: dict[str, Any]) -> Iterator[Window]:
        pending = [(start, end, 0)]
        while pending:
            a, b, depth = pending.pop(0)
            try:
                if by_updated:
                    records = self.requests(updated_after=a, updated_before=b, **filters)
                else:
                    records = self.requests(start_date=a, end_date=b, **filters)
            except Open311TooLarge as exc:  # stopped at the limit: split rather than download it whole again
                if b - a <= timedelta(seconds=1):
                    raise
                log.warning("%s; splitting %s – %s", exc, iso(a), iso(b))
                records = None
            if records is not None and len(records) < self.page_limit:
                yield Window(a, b, records, depth)
                continue
            if b - a <= timedelta(seconds=1):
                raise WindowTooDense(
                    f"{len(records or ())} requests between {iso(a)} and {iso(b)} reach the server's limit "
                    f"({self.page_limit}); they cannot be listed completely"
                )
            mid = a + (b - a) / 2
            mid = mid.replace(microsecond=0) if mid.replace(microsecond=0) > a else mid
            pending[0:0] = [(a, mid, depth + 1), (mid, b, depth + 1)]
