"""Legacy Vietnamese encodings (TCVN3/ABC, VNI-Windows): tables, detection and repair of GDAL-read text."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata

import pytest

from ioc_qgis_plugin.land import encoding as enc

SAMPLES = [
    "Phường Xuân Trung, thành phố Long Khánh",
    "Đường Hùng Vương, khu phố 3",
    "Ấp Bàu Sen, xã Bảo Quang",
    "Cộng hoà xã hội chủ nghĩa Việt Nam - Độc lập, Tự do, Hạnh phúc",
    "Tổ 5, khu phố Hoà Bình, quốc lộ 1A, thuỷ lợi, người, nhiều",
]


@pytest.mark.skipif(shutil.which("iconv") is None, reason="glibc iconv not available")
def test_tcvn3_table_matches_glibc_chart():
    """Every letter in our VN3 table decodes the same with glibc's independent TCVN5712-1 converter."""
    raw = bytes(sorted(enc._TCVN3_TABLE))
    out = subprocess.run(["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=raw, capture_output=True, check=True)
    theirs = unicodedata.normalize("NFC", out.stdout.decode("utf-8"))
    assert theirs == "".join(enc._TCVN3_TABLE[b] for b in sorted(enc._TCVN3_TABLE))


def test_published_chart_spot_values():
    # from the published code charts: TCVN3 á=B8, ư=AD, đ=AE, ờ=EA; VNI á = a+F9, ơ = F4, ư = F6, đ = F1
    assert enc.decode_tcvn3(b"\xb8\xad\xae\xea") == "áưđờ"
    assert enc.decode_vni(b"a\xf9\xf4\xf6\xf1") == "áơưđ"
    assert enc.decode_vni(b"o\xe4") == "ộ" and enc.decode_vni(b"a\xeb") == "ặ" and enc.decode_vni(b"\xf4\xf9") == "ớ"
    assert enc.decode_vni(b"O\xc2") == "Ô"  # a letter made from a pair is not re-read as a one-byte letter


@pytest.mark.parametrize("text", SAMPLES)
def test_round_trip_and_detection(text):
    vni = enc.encode_vni(text)
    assert enc.decode_vni(vni) == unicodedata.normalize("NFC", text)
    assert enc.detect([vni]) == "vni"
    tcvn = enc.encode_tcvn3(text)
    assert enc.detect([tcvn]) == "tcvn3"
    assert enc.detect([text.encode("utf-8")]) == "utf-8"
    assert enc.detect([b"Khu pho 3"]) == "ascii"


def test_repair_texts_from_gdal_latin1():
    """GDAL hands legacy bytes over as Latin-1 characters; repair gives Unicode and says what it found."""
    lat = [enc.encode_tcvn3(s).decode("latin-1") for s in SAMPLES[:3]]
    fixed, found = enc.repair_texts(lat)
    assert found == "tcvn3" and fixed[1] == "Đường Hùng Vương, khu phố 3"
    lat = [enc.encode_vni(s).decode("latin-1") for s in SAMPLES]
    fixed, found = enc.repair_texts(lat)
    assert found == "vni" and fixed == [unicodedata.normalize("NFC", s) for s in SAMPLES]
    already, found = enc.repair_texts(SAMPLES)
    assert found == "unicode" and already == SAMPLES
    forced, found = enc.repair_texts([enc.encode_vni("Đất ở").decode("latin-1")], "vni")
    assert forced == ["Đất ở"] and found == "vni"
