"""Credentials go into stream URLs only at connect time and are masked everywhere else; RTSP probing."""

from __future__ import annotations

import pytest

from ioc_qgis_plugin.connectors.cameras import has_credentials, mask_text, mask_url, strip_credentials, with_credentials
from ioc_qgis_plugin.devservers.rtsp_server import RtspServerProcess
from ioc_qgis_plugin.video.devhttp import SilentServer
from ioc_qgis_plugin.video.probe import probe, probe_first


def test_insert_credentials_encodes_and_replaces():
    url = with_credentials("rtsp://old:pw@10.0.0.5:554/Streaming/101?x=1", "admin", "p@ss:w/rd")
    assert url == "rtsp://admin:p%40ss%3Aw%2Frd@10.0.0.5:554/Streaming/101?x=1"
    assert with_credentials("rtsp://h/a", "", "x") == "rtsp://h/a"
    assert with_credentials("rtsp://[::1]:8554/a", "u", "p") == "rtsp://u:p@[::1]:8554/a"
    assert strip_credentials(url) == "rtsp://10.0.0.5:554/Streaming/101?x=1"
    assert has_credentials(url) and not has_credentials(strip_credentials(url))


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("rtsp://admin:secret@10.0.0.5/live", "rtsp://***:***@10.0.0.5/live"),
        ("rtsp://token@cam/live", "rtsp://***@cam/live"),
        ("http://cam/snap.jpg?user=admin&pwd=secret&ch=1", "http://cam/snap.jpg?user=***&pwd=***&ch=1"),
        ("rtsp://cam:554/live", "rtsp://cam:554/live"),
        ("", ""),
    ],
)
def test_mask_url(url, masked):
    assert mask_url(url) == masked


def test_mask_text_in_error_messages():
    text = "open failed for rtsp://a:b%40c@1.2.3.4/x and http://u:v@h/y"
    assert mask_text(text) == "open failed for rtsp://***:***@1.2.3.4/x and http://***:***@h/y"


def test_probe_rtsp_with_auth():
    # The first DESCRIBE to a freshly started server can take seconds on a loaded machine; what is tested here is
    # the answer, not the product's 2 s default, so every probe gets a generous timeout.
    slow = 20.0
    with RtspServerProcess(count=1, size=(256, 144), sub_size=(256, 144), user="op", password="pw") as srv:
        good = srv.url("cam01").replace("rtsp://", "rtsp://op:pw@")
        assert probe(good, timeout=slow)[0]
        ok, reason = probe(srv.url("cam01").replace("rtsp://", "rtsp://op:bad@"), timeout=slow)
        assert not ok and "wrong" in reason and "bad" not in reason
        assert probe(srv.url("cam01"), timeout=slow)[1] == "unauthorized: credentials needed"
        assert "404" in probe(good.replace("cam01", "cam77"), timeout=slow)[1]
        bad = srv.url("cam01").replace("rtsp://", "rtsp://op:bad@")
        assert probe_first(["", bad, good], timeout=slow)[2] == good


def test_probe_unreachable_and_silent():
    assert probe("rtsp://127.0.0.1:9/x", timeout=1)[0] is False
    with SilentServer() as silent:
        ok, reason = probe(f"rtsp://127.0.0.1:{silent.port}/x", timeout=0.5)
        assert not ok and reason == "no answer"


@pytest.mark.parametrize(
    ("url", "clean", "user", "password"),
    [
        ("rtsp://admin:p@ss@10.0.0.5:554/live", "rtsp://10.0.0.5:554/live", "admin", "p@ss"),
        ("rtsp://admin:a/b@10.0.0.5/live", "rtsp://10.0.0.5/live", "admin", "a/b"),
        ("rtsp://admin:my pass@cam.local/live", "rtsp://cam.local/live", "admin", "my pass"),
        ("rtsp://admin:p%40ss@10.0.0.5/live", "rtsp://10.0.0.5/live", "admin", "p@ss"),
        ("rtsp://u:p@[::1]:8554/a", "rtsp://[::1]:8554/a", "u", "p"),
        ("rtsp://cam/live", "rtsp://cam/live", "", ""),
        ("http://cam/snap.jpg?mail=a@b.org", "http://cam/snap.jpg?mail=a@b.org", "", ""),
    ],
)
def test_split_credentials_as_typed(url, clean, user, password):
    from ioc_qgis_plugin.connectors.cameras import split_credentials

    assert split_credentials(url) == (clean, user, password)
    assert has_credentials(url) is bool(user)


@pytest.mark.parametrize(
    "text",
    [
        "cannot open rtsp://admin:p@ss@10.0.0.5:554/live now",
        "cannot open rtsp://admin:a/b@10.0.0.5/live",
        "cannot open rtsp://admin:my pass@cam.local/live",
        "rtsp://admin:x@y/z w@10.0.0.5",
    ],
)
def test_mask_passwords_with_at_slash_and_space(text):
    masked = mask_text(text)
    for secret in ("p@ss", "a/b", "my pass", "x@y/z w", "ss@", "pass@"):
        assert secret not in masked, masked
    assert "***" in masked


def test_snapshot_file_names_are_safe():
    from ioc_qgis_plugin.connectors.cameras import safe_filename

    assert safe_filename("../x") == "x"
    assert safe_filename("CAM/01") == "CAM_01"
    assert safe_filename("..") == "camera" and safe_filename("") == "camera"
    assert "/" not in safe_filename("a/../../etc/passwd") and ".." not in safe_filename("a/../../etc/passwd")
    assert safe_filename("Ngã tư 1") == "Ngã_tư_1"


def test_probe_malformed_urls_never_raise():
    for url in ("rtsp://127.0.0.1:99999/x", "http://127.0.0.1:99999/x", "rtsp://[::1/x", "rtsp:///nohost"):
        ok, reason = probe(url, timeout=0.5)
        assert ok is False and "invalid URL" in reason, (url, reason)
    assert probe_first(["rtsp://127.0.0.1:99999/x"], 0.5)[0] is False


def test_probe_http_page_is_not_a_stream():
    from ioc_qgis_plugin.video.devhttp import MjpegHttpServer

    with MjpegHttpServer(size=(256, 144)) as srv:
        ok, reason = probe(srv.url("/index.html"))
        assert not ok and "text/html" in reason
        assert probe(srv.url("/snapshot.jpg"))[0]
        assert probe(srv.url("/mjpeg"))[0]
