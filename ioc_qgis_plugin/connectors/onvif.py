"""ONVIF Profile S, the few calls the IOC needs: from a device address find its media profiles and their
stream/snapshot URIs (GetCapabilities → GetProfiles → GetStreamUri / GetSnapshotUri).

Plain SOAP 1.2 over requests with a WS-Security UsernameToken (PasswordDigest), following the ONVIF device and
media WSDLs (ver10); devices that also (or only) demand HTTP Digest get it when they answer 401 with a Digest
challenge. No zeep: four calls do not justify a WSDL engine and its dependencies inside QGIS.
`ws_discovery()` finds devices with a WS-Discovery Probe (multicast on the local segment, or unicast to one
address). Returned URIs carry no credentials; insert them at connect time (connectors.cameras.with_credentials).
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Optional
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape

from .cameras import mask_text, strip_credentials

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
    "trt": "http://www.onvif.org/ver10/media/wsdl",
    "tt": "http://www.onvif.org/ver10/schema",
    "wsse": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
    "wsu": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
    "wsa": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "d": "http://schemas.xmlsoap.org/ws/2005/04/discovery",
    "dn": "http://www.onvif.org/ver10/network/wsdl",
}
WS_DISCOVERY_GROUP = ("239.255.255.250", 3702)
_TOKEN_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
_SOAP_MESSAGE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0"


class OnvifError(RuntimeError):
    """ONVIF call failed; the message is safe to show (no credentials)."""


@dataclass
class OnvifProfile:
    token: str
    name: str
    encoding: str = ""
    width: int = 0
    height: int = 0
    stream_uri: str = ""
    snapshot_uri: str = ""


def password_digest(nonce: bytes, created: str, password: str) -> str:
    """WS-Security PasswordDigest = Base64(SHA-1(nonce + created + password))."""
    return base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest()).decode()  # noqa: S324


def _security_header_marker(envelope: str) -> str:
    """The WS-Security header inside an envelope (a retried request needs a fresh nonce)."""
    start = envelope.find("<s:Header>")
    end = envelope.find("</s:Header>")
    return envelope[start : end + len("</s:Header>")] if start >= 0 and end > start else "<s:Body>"


def _security_header(user: str, password: str) -> str:
    if not user:
        return ""
    nonce = os.urandom(16)
    created = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return (
        f'<s:Header><wsse:Security s:mustUnderstand="1" xmlns:wsse="{NS["wsse"]}" xmlns:wsu="{NS["wsu"]}">'
        f"<wsse:UsernameToken><wsse:Username>{escape(user)}</wsse:Username>"
        f'<wsse:Password Type="{_TOKEN_PROFILE}#PasswordDigest">{password_digest(nonce, created, password)}'
        f"</wsse:Password>"
        f'<wsse:Nonce EncodingType="{_SOAP_MESSAGE}#Base64Binary">{base64.b64encode(nonce).decode()}</wsse:Nonce>'
        f"<wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security></s:Header>"
    )


class OnvifClient:
    def __init__(self, device_url: str, user: str = "", password: str = "", timeout: float = 5.0) -> None:
        import requests

        self.device_url = strip_credentials(device_url)
        self.user, self.password, self.timeout = user, password, timeout
        self._session = requests.Session()
        self.media_url: Optional[str] = None

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> OnvifClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, url: str, body: str, action: str) -> ET.Element:
        import requests

        envelope = (
            f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{NS["s"]}" xmlns:tds="{NS["tds"]}" '
            f'xmlns:trt="{NS["trt"]}" xmlns:tt="{NS["tt"]}">{_security_header(self.user, self.password)}'
            f"<s:Body>{body}</s:Body></s:Envelope>"
        )
        headers = {"Content-Type": f'application/soap+xml; charset=utf-8; action="{action}"'}
        try:
            resp = self._session.post(url, data=envelope.encode(), headers=headers, timeout=self.timeout)
            challenge = resp.headers.get("WWW-Authenticate", "")
            if resp.status_code == 401 and self.user and challenge.lower().startswith("digest"):
                # HTTP Digest (RFC 7616) on top of WS-Security; the session keeps answering the challenge
                from requests.auth import HTTPDigestAuth

                self._session.auth = HTTPDigestAuth(self.user, self.password)
                envelope = envelope.replace(
                    _security_header_marker(envelope), _security_header(self.user, self.password)
                )
                resp = self._session.post(url, data=envelope.encode(), headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise OnvifError(f"ONVIF device unreachable: {type(exc).__name__}") from exc
        if resp.status_code == 401:
            raise OnvifError("ONVIF: unauthorized (wrong user/password)")
        try:
            root = ET.fromstring(resp.content)
        except ET.ParseError as exc:
            raise OnvifError(f"ONVIF answer is not XML (HTTP {resp.status_code})") from exc
        fault = root.find(".//s:Fault", NS)
        if fault is not None:
            codes = " ".join(v.text or "" for v in fault.iterfind(".//s:Value", NS))
            reason = " ".join(t.text or "" for t in fault.iterfind(".//s:Text", NS))
            if "NotAuthorized" in codes or (resp.status_code in (400, 401) and "auth" in reason.lower()):
                raise OnvifError("ONVIF: unauthorized (wrong user/password)")
            raise OnvifError(mask_text(f"ONVIF fault: {reason or codes}"))
        if resp.status_code == 401:
            raise OnvifError("ONVIF: unauthorized (wrong user/password)")
        if resp.status_code >= 400:
            raise OnvifError(f"ONVIF: HTTP {resp.status_code}")
        body_el = root.find("s:Body", NS)
        if body_el is None or len(body_el) == 0:
            raise OnvifError("ONVIF answer without a body")
        return body_el[0]

    def media_service(self) -> str:
        if self.media_url:
            return self.media_url
        answer = self.call(
            self.device_url,
            "<tds:GetCapabilities><tds:Category>Media</tds:Category></tds:GetCapabilities>",
            f"{NS['tds']}/GetCapabilities",
        )
        xaddr = answer.find(".//tt:Media/tt:XAddr", NS)
        # devices that answer without a media XAddr usually serve media on the device endpoint
        self.media_url = xaddr.text.strip() if xaddr is not None and xaddr.text else self.device_url
        return self.media_url

    def profiles(self) -> list[OnvifProfile]:
        answer = self.call(self.media_service(), "<trt:GetProfiles/>", f"{NS['trt']}/GetProfiles")
        out = []
        for p in answer.iterfind("trt:Profiles", NS):
            enc = p.find("tt:VideoEncoderConfiguration", NS)

            def text(path: str, el: Optional[ET.Element] = enc) -> str:
                found = el.find(path, NS) if el is not None else None
                return (found.text or "").strip() if found is not None else ""

            out.append(
                OnvifProfile(
                    token=p.get("token", ""),
                    name=text("tt:Name", p),
                    encoding=text("tt:Encoding"),
                    width=int(text("tt:Resolution/tt:Width") or 0),
                    height=int(text("tt:Resolution/tt:Height") or 0),
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
        uri = answer.find(".//tt:Uri", NS)
        return (uri.text or "").strip() if uri is not None else ""

    def snapshot_uri(self, token: str) -> str:
        body = f"<trt:GetSnapshotUri><trt:ProfileToken>{escape(token)}</trt:ProfileToken></trt:GetSnapshotUri>"
        try:
            answer = self.call(self.media_service(), body, f"{NS['trt']}/GetSnapshotUri")
        except OnvifError as exc:
            if "unauthorized" in str(exc):
                raise
            return ""  # snapshots are optional in Profile S
        uri = answer.find(".//tt:Uri", NS)
        return (uri.text or "").strip() if uri is not None else ""

    def discover(self) -> list[OnvifProfile]:
        """Profiles with their stream and snapshot URIs, largest resolution first."""
        profiles = self.profiles()
        for p in profiles:
            p.stream_uri = strip_credentials(self.stream_uri(p.token))
            p.snapshot_uri = strip_credentials(self.snapshot_uri(p.token))
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


@dataclass
class DiscoveredDevice:
    address: str  # urn:uuid:… endpoint reference
    xaddrs: list[str]  # device service URLs
    name: str = ""
    hardware: str = ""
    scopes: list[str] = field(default_factory=list)

    @property
    def device_url(self) -> str:
        """The first HTTP(S) device service address (devices list one per interface)."""
        return next((x for x in self.xaddrs if x.startswith(("http://", "https://"))), "")


def _probe_message(message_id: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{NS["s"]}" xmlns:a="{NS["wsa"]}" '
        f'xmlns:d="{NS["d"]}" xmlns:dn="{NS["dn"]}"><s:Header><a:MessageID>{message_id}</a:MessageID>'
        "<a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>"
        "<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action></s:Header>"
        "<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>"
    ).encode()


def _parse_matches(data: bytes, message_id: str) -> list[DiscoveredDevice]:
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return []
    if (root.findtext(".//wsa:RelatesTo", "", NS) or "").strip() != message_id:
        return []  # an answer to someone else's probe
    found = []
    for match in root.iterfind(".//d:ProbeMatch", NS):
        scopes = (match.findtext("d:Scopes", "", NS) or "").split()

        def scope(kind: str, scopes: list[str] = scopes) -> str:
            prefix = f"onvif://www.onvif.org/{kind}/"
            return next((unquote(s[len(prefix) :]) for s in scopes if s.startswith(prefix)), "")

        found.append(
            DiscoveredDevice(
                address=(match.findtext(".//wsa:Address", "", NS) or "").strip(),
                xaddrs=(match.findtext("d:XAddrs", "", NS) or "").split(),
                name=scope("name"),
                hardware=scope("hardware"),
                scopes=scopes,
            )
        )
    return found


def ws_discovery(address: Optional[str] = None, port: int = 3702, timeout: float = 2.0) -> list[DiscoveredDevice]:
    """ONVIF video devices that answer a WS-Discovery Probe within `timeout` seconds: sent to the multicast group
    on the local segment when `address` is None, else to that host only (a camera in another subnet)."""
    message_id = f"uuid:{uuid.uuid4()}"
    target = WS_DISCOVERY_GROUP if address is None else (address, port)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    try:
        if address is None:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)  # this segment only
        sock.bind(("", 0))
        try:
            sock.sendto(_probe_message(message_id), target)
        except OSError as exc:
            raise OnvifError(f"WS-Discovery probe could not be sent: {exc.strerror or exc}") from exc
        devices: dict[str, DiscoveredDevice] = {}
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            try:
                data, _ = sock.recvfrom(65536)
            except (socket.timeout, ConnectionRefusedError):
                break
            except OSError:
                break
            for dev in _parse_matches(data, message_id):
                devices.setdefault(dev.address or dev.device_url, dev)
        return list(devices.values())
    finally:
        sock.close()


def device_host(device_url: str) -> str:
    try:
        return urlsplit(device_url).hostname or ""
    except ValueError:
        return ""
