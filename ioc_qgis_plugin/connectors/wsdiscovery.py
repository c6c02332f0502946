"""WS-Discovery for ONVIF cameras (ONVIF Core §7 "Device discovery", WS-Discovery 2005/04, SOAP-over-UDP).

`discover()` sends a Probe for `dn:NetworkVideoTransmitter` to the multicast group 239.255.255.250:3702 (or to any
address given as `target`, e.g. a unicast responder in tests) from a socket bound to the chosen interface, then
collects the ProbeMatches that relate to that Probe until the timeout: one `DiscoveredDevice` per endpoint, with
its XAddrs (device service URLs) and scopes (name, hardware, location). Multicast stays on the local segment
(TTL 1), which is what ONVIF discovery is for; cameras on other subnets are added by address.
No qgis/Qt import; nothing here sends credentials.
"""

from __future__ import annotations

import socket
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Callable, Optional
from urllib.parse import unquote

from .cameras import strip_credentials

try:  # datagrams from anyone on the segment: parse them defensively
    from defusedxml import ElementTree as _safe_et  # noqa: N813
    from defusedxml.common import DefusedXmlException as _XmlRefused
except ImportError:  # pragma: no cover - depends on the machine
    _safe_et = ET  # type: ignore[assignment]

    class _XmlRefused(Exception):  # type: ignore[no-redef]
        pass


MULTICAST_GROUP = "239.255.255.250"
PORT = 3702
SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
WSD = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
DN = "http://www.onvif.org/ver10/network/wsdl"
_ANONYMOUS = f"{WSA}/role/anonymous"
# SOAP-over-UDP repeats multicast messages (MULTICAST_UDP_REPEAT); a lost datagram is then not a missing camera.
REPEATS = 2


@dataclass
class DiscoveredDevice:
    endpoint: str  # the device's stable EndpointReference address (urn:uuid:…)
    xaddrs: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)
    sender: str = ""  # IP address the answer came from

    def scope(self, kind: str) -> str:
        """The value of an `onvif://www.onvif.org/<kind>/<value>` scope (decoded), '' when absent."""
        prefix = f"onvif://www.onvif.org/{kind}/"
        for s in self.scopes:
            if s.lower().startswith(prefix.lower()):
                return unquote(s[len(prefix) :])
        return ""

    @property
    def name(self) -> str:
        return self.scope("name") or self.scope("hardware") or (self.xaddrs[0] if self.xaddrs else self.endpoint)

    @property
    def device_url(self) -> str:
        """The XAddr to use: the first one on the sender's own address if any (devices list several), else the first."""
        for x in self.xaddrs:
            if self.sender and f"//{self.sender}" in x:
                return x
        return self.xaddrs[0] if self.xaddrs else ""


def probe_message(message_id: str, types: str = "dn:NetworkVideoTransmitter") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{SOAP}" xmlns:a="{WSA}" xmlns:d="{WSD}" '
        f'xmlns:dn="{DN}"><s:Header><a:Action s:mustUnderstand="1">{WSD}/Probe</a:Action>'
        f"<a:MessageID>{message_id}</a:MessageID><a:ReplyTo><a:Address>{_ANONYMOUS}</a:Address></a:ReplyTo>"
        f'<a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To></s:Header>'
        f"<s:Body><d:Probe><d:Types>{types}</d:Types></d:Probe></s:Body></s:Envelope>"
    ).encode()


def parse_probe_matches(data: bytes, message_id: str, sender: str = "") -> list[DiscoveredDevice]:
    """The ProbeMatch entries of a ProbeMatches datagram that answers `message_id`; [] for anything else."""
    try:
        root = _safe_et.fromstring(data)
    except (ET.ParseError, _XmlRefused, ValueError):
        return []
    if root.tag != f"{{{SOAP}}}Envelope":
        return []
    header = root.find(f"{{{SOAP}}}Header")
    if header is None:
        return []
    action = (header.findtext(f"{{{WSA}}}Action", "") or "").strip()
    relates = (header.findtext(f"{{{WSA}}}RelatesTo", "") or "").strip()
    if action != f"{WSD}/ProbeMatches" or relates != message_id:
        return []
    out = []
    for match in root.iterfind(f"{{{SOAP}}}Body/{{{WSD}}}ProbeMatches/{{{WSD}}}ProbeMatch"):
        endpoint = (match.findtext(f"{{{WSA}}}EndpointReference/{{{WSA}}}Address", "") or "").strip()
        xaddrs = [strip_credentials(x) for x in (match.findtext(f"{{{WSD}}}XAddrs", "") or "").split()]
        xaddrs = [x for x in xaddrs if x.startswith(("http://", "https://"))]
        if not endpoint and not xaddrs:
            continue
        out.append(
            DiscoveredDevice(
                endpoint=endpoint or xaddrs[0],
                xaddrs=xaddrs,
                types=(match.findtext(f"{{{WSD}}}Types", "") or "").split(),
                scopes=(match.findtext(f"{{{WSD}}}Scopes", "") or "").split(),
                sender=sender,
            )
        )
    return out


def discover(
    timeout: float = 3.0,
    interface_address: Optional[str] = None,
    target: tuple[str, int] = (MULTICAST_GROUP, PORT),
    should_stop: Optional[Callable[[], bool]] = None,
    types: str = "dn:NetworkVideoTransmitter",
) -> list[DiscoveredDevice]:
    """Probe and collect answers for `timeout` seconds; devices in the order they answered, one per endpoint.

    `interface_address`: the local IPv4 address whose network to search (None: the system's default route).
    `should_stop`: polled every 0.1 s (a cancelled task ends the wait early).
    Raises OSError when the socket cannot be opened or the probe cannot be sent (no such interface, no route).
    """
    message_id = f"urn:uuid:{uuid.uuid4()}"
    probe = probe_message(message_id, types)
    found: dict[str, DiscoveredDevice] = {}
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    try:
        sock.bind((interface_address or "", 0))
        if target[0] == MULTICAST_GROUP:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
            if interface_address:
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(interface_address))
        for _ in range(REPEATS):
            sock.sendto(probe, target)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or (should_stop is not None and should_stop()):
                break
            sock.settimeout(min(0.1, left))
            try:
                data, (host, _port) = sock.recvfrom(65536)
            except socket.timeout:
                continue
            except ConnectionRefusedError:  # an ICMP "port unreachable" for a unicast target: keep listening
                continue
            for device in parse_probe_matches(data, message_id, host):
                known = found.get(device.endpoint)
                if known is None:
                    found[device.endpoint] = device
                else:
                    known.xaddrs += [x for x in device.xaddrs if x not in known.xaddrs]
    finally:
        sock.close()
    return list(found.values())
