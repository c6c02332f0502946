"""ONVIF Profile S, the few calls the IOC needs: from a device address find its media profiles and their
stream/snapshot URIs (GetCapabilities/GetServices → GetProfiles → GetStreamUri / GetSnapshotUri).

Plain SOAP 1.2 over requests, following the ONVIF device and media WSDLs (ver10). No zeep: a handful of calls do
not justify a WSDL engine and its dependencies inside QGIS.

Authentication follows ONVIF Core §5.9.1 ("Authentication over HTTP"): services are protected by HTTP Digest
(RFC 2617/7616); WS-UsernameToken is for legacy devices; a request without credentials must be answered with
HTTP 401 (+ a Digest challenge) by a device that uses Digest, and with HTTP 400 + a SOAP `ter:NotAuthorized` fault
by a device that only knows the UsernameToken; and a client should not send credentials on both levels at once.
So in "auto" mode a call goes out with Digest armed but no credentials; a Digest challenge is answered (requests'
HTTPDigestAuth, MD5 or SHA-256); a NotAuthorized fault (or a 401 without a Digest challenge) is retried once with
a WS-Security UsernameToken (PasswordDigest), with the device's clock offset taken from GetSystemDateAndTime
(UsernameTokens are rejected when the clocks differ). The scheme that worked is kept for the next calls.

Errors are `OnvifError` subclasses whose messages never contain the password or credentials from a URL.
Returned URIs carry no credentials (devices sometimes put them in); they are inserted at connect time from the
QGIS auth manager (connectors.cameras.with_credentials).
"""

from __future__ import annotations

import base64
import hashlib
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from .cameras import mask_text, strip_credentials

try:  # Debian: python3-defusedxml (answers come from devices on the network); expat's own limits otherwise
    from defusedxml import ElementTree as _safe_et  # noqa: N813
    from defusedxml.common import DefusedXmlException as _XmlRefused
except ImportError:  # pragma: no cover - depends on the machine
    _safe_et = ET  # type: ignore[assignment]

    class _XmlRefused(Exception):  # type: ignore[no-redef]
        pass


NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
    "trt": "http://www.onvif.org/ver10/media/wsdl",
    "tt": "http://www.onvif.org/ver10/schema",
    "wsse": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
    "wsu": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
}
_TOKEN_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
_SOAP_MESSAGE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0"
AUTH_MODES = ("auto", "digest", "wsse", "none")
DEVICE_PATH = "/onvif/device_service"


class OnvifError(RuntimeError):
    """ONVIF call failed; the message is safe to show (no credentials)."""


class OnvifAuthError(OnvifError):
    """The device refused the user name / password."""


class OnvifNotDeviceError(OnvifError):
    """Something answered, but not an ONVIF (SOAP) device service."""


class OnvifTimeoutError(OnvifError):
    """The device accepted the connection (or not) but did not answer in time."""


@dataclass
class OnvifProfile:
    token: str
    name: str
    encoding: str = ""
    width: int = 0
    height: int = 0
    stream_uri: str = ""
    snapshot_uri: str = ""

    def label(self) -> str:
        size = f" {self.width}×{self.height}" if self.width else ""
        return f"{self.name or self.token}{size} {self.encoding}".strip()


def password_digest(nonce: bytes, created: str, password: str) -> str:
    """WS-Security PasswordDigest = Base64(SHA-1(nonce + created + password))."""
    return base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest()).decode()  # noqa: S324


def _security_header(user: str, password: str, clock_offset: timedelta = timedelta(0)) -> str:
    if not user:
        return ""
    nonce = os.urandom(16)
    now = datetime.now(timezone.utc) + clock_offset
    created = now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return (
        f'<s:Header><wsse:Security s:mustUnderstand="1" xmlns:wsse="{NS["wsse"]}" xmlns:wsu="{NS["wsu"]}">'
        f"<wsse:UsernameToken><wsse:Username>{escape(user)}</wsse:Username>"
        f'<wsse:Password Type="{_TOKEN_PROFILE}#PasswordDigest">{password_digest(nonce, created, password)}'
        f"</wsse:Password>"
        f'<wsse:Nonce EncodingType="{_SOAP_MESSAGE}#Base64Binary">{base64.b64encode(nonce).decode()}</wsse:Nonce>'
        f"<wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security></s:Header>"
    )


def normalise_device_url(text: str) -> str:
    """What an operator types (`10.0.0.5`, `cam.local:8080`, a full URL) → the device service URL, no credentials."""
    text = (text or "").strip()
    if not text:
        raise ValueError("empty ONVIF address")
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) address: {mask_text(text)}")
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as exc:
        raise ValueError(f"bad port in {mask_text(text)}") from exc
    url = strip_credentials(text)
    if not urlsplit(url).path or urlsplit(url).path == "/":
        url = url.rstrip("/") + DEVICE_PATH
    return url


@dataclass
class _Answer:
    status: int
    root: Optional[ET.Element]
    challenged: bool  # the device asked for HTTP Digest
    content_type: str


def _is_not_authorized(root: Optional[ET.Element]) -> bool:
    fault = root.find(".//s:Fault", NS) if root is not None else None
    if fault is None:
        return False
    codes = " ".join(v.text or "" for v in fault.iterfind(".//s:Value", NS))
    return "NotAuthorized" in codes or "FailedAuthentication" in codes


class OnvifClient:
    def __init__(
        self,
        device_url: str,
        user: str = "",
        password: str = "",
        timeout: float = 5.0,
        auth: str = "auto",
    ) -> None:
        import requests
        from requests.auth import HTTPDigestAuth

        if auth not in AUTH_MODES:
            raise ValueError(f"auth must be one of {AUTH_MODES}")
        self.device_url = strip_credentials(device_url)
        self.user, self.password, self.timeout = user, password, timeout
        self.auth = auth if user else "none"
        self.used_auth = ""  # the scheme that worked: "digest", "wsse" or "none"
        self.clock_offset: Optional[timedelta] = None  # device clock − ours, for UsernameTokens
        self._session = requests.Session()
        # one Digest state per client: its nonce and nonce count are reused, so later calls need one round trip
        self._digest = HTTPDigestAuth(user, password) if user else None
        self.media_url: Optional[str] = None

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> OnvifClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport -------------------------------------------------------------------------------------------
    def _post(self, url: str, body: str, action: str, scheme: str) -> _Answer:
        import requests

        header = ""
        if scheme == "wsse":
            header = _security_header(self.user, self.password, self.clock_offset or timedelta(0))
        envelope = (
            f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{NS["s"]}" xmlns:tds="{NS["tds"]}" '
            f'xmlns:trt="{NS["trt"]}" xmlns:tt="{NS["tt"]}">{header}<s:Body>{body}</s:Body></s:Envelope>'
        )
        headers = {"Content-Type": f'application/soap+xml; charset=utf-8; action="{action}"'}
        auth = self._digest if scheme == "digest" else None
        where = mask_text(url)
        try:
            resp = self._session.post(url, data=envelope.encode(), headers=headers, timeout=self.timeout, auth=auth)
        except requests.Timeout as exc:
            raise OnvifTimeoutError(f"ONVIF device {where} did not answer within {self.timeout:g} s") from exc
        except requests.RequestException as exc:
            raise OnvifError(f"ONVIF device {where} unreachable: {type(exc).__name__}") from exc
        challenged = bool(resp.history) or "digest" in resp.headers.get("WWW-Authenticate", "").lower()
        content_type = resp.headers.get("Content-Type", "").split(";")[0].strip()
        root: Optional[ET.Element] = None
        if resp.content:
            try:
                root = _safe_et.fromstring(resp.content)
            except (ET.ParseError, _XmlRefused, ValueError):
                root = None
        if root is not None and root.tag != f"{{{NS['s']}}}Envelope":
            root = None
        return _Answer(resp.status_code, root, challenged, content_type)

    def call(self, url: str, body: str, action: str) -> ET.Element:
        """The first element of the SOAP body of a successful answer; OnvifError (or a subclass) otherwise."""
        scheme = self.used_auth or ("digest" if self.auth in ("auto", "digest") else self.auth)
        if scheme == "wsse" and self.clock_offset is None:
            self.clock_offset = self._device_clock_offset()
        answer = self._post(url, body, action, scheme)
        if self.auth == "auto" and scheme != "wsse" and self._wants_username_token(answer):
            # A UsernameToken-only device (fault, no Digest challenge): retry on the WS level.
            if self.clock_offset is None:
                self.clock_offset = self._device_clock_offset()
            scheme = "wsse"
            answer = self._post(url, body, action, scheme)
        root = self._check(answer, url)
        if not self.used_auth and self.auth != "none" and (scheme == "wsse" or answer.challenged):
            self.used_auth = scheme  # this call needed credentials and these worked: keep them
        return root

    @staticmethod
    def _wants_username_token(answer: _Answer) -> bool:
        if answer.challenged and answer.status != 401:
            return False  # Digest was asked for and accepted
        if answer.challenged:
            return False  # Digest asked for and refused: a wrong password, not a legacy device
        return _is_not_authorized(answer.root) or answer.status == 401

    def _refused(self) -> OnvifAuthError:
        if not self.user:
            return OnvifAuthError("ONVIF: unauthorized: the camera needs a login (choose an authentication config)")
        return OnvifAuthError("ONVIF: unauthorized (wrong user name or password)")

    def _check(self, answer: _Answer, url: str) -> ET.Element:
        root, status = answer.root, answer.status
        if root is None:
            if status == 401:
                raise self._refused()
            kind = answer.content_type or "no content type"
            raise OnvifNotDeviceError(
                f"{mask_text(url)} is not an ONVIF device service (HTTP {status}, {kind}, no SOAP envelope)"
            )
        if _is_not_authorized(root) or status == 401:
            raise self._refused()
        fault = root.find(".//s:Fault", NS)
        if fault is not None:
            codes = " ".join(v.text or "" for v in fault.iterfind(".//s:Value", NS))
            reason = " ".join(t.text or "" for t in fault.iterfind(".//s:Text", NS))
            raise OnvifError(mask_text(f"ONVIF fault: {reason or codes}"))
        if status >= 400:
            raise OnvifError(f"ONVIF: HTTP {status}")
        body_el = root.find("s:Body", NS)
        if body_el is None or len(body_el) == 0:
            raise OnvifError("ONVIF answer without a body")
        return body_el[0]

    def _device_clock_offset(self) -> timedelta:
        """Device UTC − our UTC from GetSystemDateAndTime (callable without credentials); 0 if unknown."""
        try:
            answer = self._post(
                self.device_url, "<tds:GetSystemDateAndTime/>", f"{NS['tds']}/GetSystemDateAndTime", "none"
            )
        except OnvifError:
            return timedelta(0)
        utc = answer.root.find(".//tt:UTCDateTime", NS) if answer.root is not None else None
        if utc is None:
            return timedelta(0)
        try:
            values = [
                int(utc.findtext(f"tt:{part}", "", NS))
                for part in ("Date/tt:Year", "Date/tt:Month", "Date/tt:Day", "Time/tt:Hour", "Time/tt:Minute")
            ]
            second = int(utc.findtext("tt:Time/tt:Second", "0", NS))
            device = datetime(*values, second, tzinfo=timezone.utc)
        except ValueError:
            return timedelta(0)
        offset = device - datetime.now(timezone.utc)
        return offset if abs(offset) > timedelta(seconds=2) else timedelta(0)

    # -- device ----------------------------------------------------------------------------------------------
    def device_info(self) -> dict[str, str]:
        """Manufacturer, Model, FirmwareVersion, SerialNumber, HardwareId (empty strings where absent)."""
        answer = self.call(self.device_url, "<tds:GetDeviceInformation/>", f"{NS['tds']}/GetDeviceInformation")
        keys = ("Manufacturer", "Model", "FirmwareVersion", "SerialNumber", "HardwareId")
        return {k: (answer.findtext(f"tds:{k}", "", NS) or "").strip() for k in keys}

    def media_service(self) -> str:
        if self.media_url:
            return self.media_url
        xaddr = ""
        try:
            answer = self.call(
                self.device_url,
                "<tds:GetCapabilities><tds:Category>Media</tds:Category></tds:GetCapabilities>",
                f"{NS['tds']}/GetCapabilities",
            )
            xaddr = (answer.findtext(".//tt:Media/tt:XAddr", "", NS) or "").strip()
        except (OnvifAuthError, OnvifNotDeviceError, OnvifTimeoutError):
            raise
        except OnvifError:
            # Newer devices may only implement GetServices (GetCapabilities is deprecated in Core 2.x)
            answer = self.call(
                self.device_url,
                "<tds:GetServices><tds:IncludeCapability>false</tds:IncludeCapability></tds:GetServices>",
                f"{NS['tds']}/GetServices",
            )
            for service in answer.iterfind("tds:Service", NS):
                if (service.findtext("tds:Namespace", "", NS) or "").strip() == NS["trt"]:
                    xaddr = (service.findtext("tds:XAddr", "", NS) or "").strip()
        # devices that answer without a media XAddr usually serve media on the device endpoint
        self.media_url = strip_credentials(xaddr) if xaddr else self.device_url
        return self.media_url

    def profiles(self) -> list[OnvifProfile]:
        answer = self.call(self.media_service(), "<trt:GetProfiles/>", f"{NS['trt']}/GetProfiles")
        out = []
        for p in answer.iterfind("trt:Profiles", NS):
            enc = p.find("tt:VideoEncoderConfiguration", NS)

            def text(path: str, el: Optional[ET.Element] = enc) -> str:
                found = el.find(path, NS) if el is not None else None
                return (found.text or "").strip() if found is not None else ""

            def number(path: str) -> int:
                try:
                    return int(text(path) or 0)
                except ValueError:
                    return 0

            out.append(
                OnvifProfile(
                    token=p.get("token", ""),
                    name=text("tt:Name", p),
                    encoding=text("tt:Encoding"),
                    width=number("tt:Resolution/tt:Width"),
                    height=number("tt:Resolution/tt:Height"),
                )
            )
        return out

    def stream_uri(self, token: str) -> str:
        body = (
            "<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream>"
            "<tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup>"
            f"<trt:ProfileToken>{escape(token)}</trt:ProfileToken></trt:GetStreamUri>"
        )
        answer = self.call(self.media_service(), body, f"{NS['trt']}/GetStreamUri")
        return strip_credentials((answer.findtext(".//tt:Uri", "", NS) or "").strip())

    def snapshot_uri(self, token: str) -> str:
        body = f"<trt:GetSnapshotUri><trt:ProfileToken>{escape(token)}</trt:ProfileToken></trt:GetSnapshotUri>"
        try:
            answer = self.call(self.media_service(), body, f"{NS['trt']}/GetSnapshotUri")
        except (OnvifAuthError, OnvifNotDeviceError, OnvifTimeoutError):
            raise
        except OnvifError:
            return ""  # snapshots are optional in Profile S
        return strip_credentials((answer.findtext(".//tt:Uri", "", NS) or "").strip())

    def discover(self) -> list[OnvifProfile]:
        """Profiles with their stream and snapshot URIs, largest resolution first."""
        profiles = self.profiles()
        for p in profiles:
            p.stream_uri = self.stream_uri(p.token)
            p.snapshot_uri = self.snapshot_uri(p.token)
        return sorted(profiles, key=lambda p: p.width * p.height, reverse=True)


def camera_urls(profiles: list[OnvifProfile]) -> dict[str, str]:
    """stream_url (largest profile), substream_url (smallest, if different) and snapshot_url for a camera record."""
    with_stream = [p for p in profiles if p.stream_uri]
    if not with_stream:
        return {"stream_url": "", "substream_url": "", "snapshot_url": ""}
    main, sub = with_stream[0], with_stream[-1]
    snapshot = next((p.snapshot_uri for p in profiles if p.snapshot_uri), "")
    return {
        "stream_url": main.stream_uri,
        "substream_url": sub.stream_uri if sub is not main else "",
        "snapshot_url": snapshot,
    }
