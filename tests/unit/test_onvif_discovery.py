"""WS-Discovery Probe/ProbeMatches between connectors.wsdiscovery and the simulator's responder, on 127.0.0.1.

The Probe goes unicast to the responder's 127.0.0.1 port instead of the multicast group 239.255.255.250:3702:
multicast is not routed on this machine's loopback (and tests keep to 127.0.0.1). The messages are the same ones a
camera on the segment would get and send; only the destination address differs.
"""

from __future__ import annotations

import socket
import time

import pytest

from ioc_qgis_plugin.connectors.onvif import OnvifClient, camera_urls
from ioc_qgis_plugin.connectors.wsdiscovery import DiscoveredDevice, discover, parse_probe_matches, probe_message
from ioc_qgis_plugin.devservers.onvif_device import OnvifDeviceSimulator


@pytest.fixture(scope="module")
def sim():
    with OnvifDeviceSimulator(count=2, user="op", password="pw", discovery_port=0) as s:
        yield s


def test_probe_finds_both_cameras_with_their_device_service(sim):
    devices = discover(timeout=1.5, interface_address="127.0.0.1", target=sim.discovery_address)
    assert sorted(d.device_url for d in devices) == sorted(sim.device_urls)
    assert sorted(d.name for d in devices) == ["IOC-SIM cam01", "IOC-SIM cam02"]
    assert all(d.endpoint.startswith("urn:uuid:") and d.sender == "127.0.0.1" for d in devices)
    assert len({d.endpoint for d in devices}) == 2  # the repeated Probe does not duplicate devices
    # what discovery found is a working device service
    with OnvifClient(devices[0].device_url, "op", "pw", timeout=3) as client:
        assert camera_urls(client.discover())["stream_url"].startswith("rtsp://")


def test_a_probe_for_other_types_gets_no_answer(sim):
    started = time.monotonic()
    found = discover(timeout=0.8, interface_address="127.0.0.1", target=sim.discovery_address, types="dn:Printer")
    assert found == []
    assert time.monotonic() - started >= 0.75  # waited the whole window, as a real probe must


def test_cancel_ends_the_wait_early(sim):
    started = time.monotonic()
    discover(timeout=30, interface_address="127.0.0.1", target=sim.discovery_address, should_stop=lambda: True)
    assert time.monotonic() - started < 5


def test_answers_to_someone_elses_probe_and_garbage_are_ignored(sim):
    mine, other = "urn:uuid:mine", "urn:uuid:other"
    replies = sim.probe_matches(probe_message(other))
    assert len(replies) == 2
    assert parse_probe_matches(replies[0], mine) == []
    assert parse_probe_matches(replies[0], other)[0].xaddrs
    for junk in (b"", b"not xml", b"<a/>", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'):
        assert parse_probe_matches(junk, mine) == []
        assert sim.probe_matches(junk) == []


def test_unknown_interface_address_is_an_error():
    with pytest.raises(OSError):
        discover(timeout=0.2, interface_address="203.0.113.77", target=("127.0.0.1", 9))


def test_responder_answers_the_prober_port():
    """The responder replies to the datagram's source address/port (SOAP-over-UDP anonymous ReplyTo)."""
    with OnvifDeviceSimulator(count=1, discovery_port=0) as sim:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(5)
        try:
            sock.sendto(probe_message("urn:uuid:raw"), sim.discovery_address)
            data, _ = sock.recvfrom(65536)
        finally:
            sock.close()
    assert parse_probe_matches(data, "urn:uuid:raw")[0].device_url == sim.device_urls[0]


def test_device_url_prefers_the_address_the_answer_came_from():
    device = DiscoveredDevice(
        "urn:uuid:x",
        xaddrs=["http://169.254.1.2/onvif/device_service", "http://192.168.1.20/onvif/device_service"],
        scopes=["onvif://www.onvif.org/name/C%E1%BB%95ng%20ch%C3%ADnh", "onvif://www.onvif.org/hardware/DS-2CD"],
        sender="192.168.1.20",
    )
    assert device.device_url == "http://192.168.1.20/onvif/device_service"
    assert device.name == "Cổng chính" and device.scope("hardware") == "DS-2CD"
