"""Anonymisation: phone numbers, e-mails, ID numbers and names in free text; field policy; location generalisation."""

from __future__ import annotations

import numpy as np
import pytest

from ioc_qgis_plugin.export import locations
from ioc_qgis_plugin.export.policy import Policy, PolicyError
from ioc_qgis_plugin.export.scrub import PHONE_TOKEN, generalise_address, scrub_text

PHONES = [
    "0912345678",
    "0912 345 678",
    "0912.345.678",
    "0912-345-678",
    "091 234 5678",
    "+84912345678",
    "+84 912 345 678",
    "+84-912-345-678",
    "(+84) 912 345 678",
    "84912345678",
    "0084 912 345 678",
    "0 9 1 2 3 4 5 6 7 8",
    "0367.123.456",
    "028 3822 1234",
    "(028) 3822 1234",
    "0251.3822.123",
    "(0251) 3822 123",
    "+84 28 3822 1234",
    "0283.822.1234",
]


@pytest.mark.parametrize("phone", PHONES)
@pytest.mark.parametrize("template", ["{}", "Đèn hỏng, liên hệ {} nhé", "sđt:{}.", "gọi ({}) giúp", "ĐT {}, cảm ơn"])
def test_phone_numbers_hidden_in_text_are_removed(phone: str, template: str) -> None:
    out = scrub_text(template.format(phone))
    assert PHONE_TOKEN in out
    digits = "".join(ch for ch in out if ch.isdigit())
    assert len(digits) < 4, out


@pytest.mark.parametrize(
    "text",
    [
        "Đường dây nóng 1022",
        "ngày 15/3/2024 lúc 10:30",
        "QĐ 1234/QĐ-UBND",
        "phạt 2.500.000 đồng",
        "Km 12+300 quốc lộ 1A",
        "bà con phản ánh nhiều lần",
        "đường Hai Bà Trưng",
    ],
)
def test_public_text_is_kept(text: str) -> None:
    assert scrub_text(text) == text


def test_emails_ids_and_names() -> None:
    out = scrub_text("Tôi là Nguyễn Văn An, CCCD 079123456789, email nguoi.dan+1@example.vn, nhà ông Trần Thị Bình")
    for secret in ("Nguyễn", "An,", "079123456789", "example.vn", "Trần", "Bình"):
        assert secret not in out
    assert scrub_text("CMND số 123456789") == "CMND số [số giấy tờ]"
    assert scrub_text("a.b (at) gmail (dot) com") == "[email]"
    assert scrub_text("anh Hùng 0987654321 chị Lan") == "anh [tên] [số điện thoại] chị [tên]"
    assert scrub_text("My name is John Smith") == "My name is [tên]"
    assert "456789012345" not in scrub_text("mã số 456 789 012 345")  # bare 12-digit run (CCCD without a cue)


def test_scrub_is_deterministic_and_normalises_unicode() -> None:
    import unicodedata

    text = unicodedata.normalize("NFD", "Tôi là Nguyễn Văn An, gọi 0912 345 678")
    assert scrub_text(text) == scrub_text(text) == "Tôi là [tên], gọi [số điện thoại]"


def test_address_drops_house_numbers() -> None:
    assert generalise_address("123/4 Lê Lợi") == "Lê Lợi"
    assert generalise_address("Số 45A Hai Bà Trưng") == "Hai Bà Trưng"
    assert generalise_address("hẻm 12 Nguyễn Trãi") == "Nguyễn Trãi"


def test_policy_refuses_personal_columns_and_unknown_actions() -> None:
    cols = {"report_id": "TEXT", "description": "TEXT", "reporter_phone": "TEXT", "lat": "REAL", "lon": "REAL"}
    key = "city-secret-0123456789"
    Policy(id_secret=key).check("field_reports", cols)
    with pytest.raises(PolicyError, match="personal"):
        Policy(rules={"field_reports": {"reporter_phone": "keep"}}, id_secret=key).check("field_reports", cols)
    with pytest.raises(PolicyError, match="unknown action"):
        Policy(rules={"field_reports": {"description": "blur"}}, id_secret=key).check("field_reports", cols)
    with pytest.raises(PolicyError, match="exact location"):
        Policy(rules={"field_reports": {"lat": "keep"}}, id_secret=key).check("field_reports", cols)
    with pytest.raises(PolicyError, match="internal"):
        Policy().check("report_outbox", {"payload": "TEXT"})
    p = Policy(rules={"field_reports": {"description": "drop"}})
    assert p.action("field_reports", "description", "TEXT") == "drop"
    assert p.action("wards", "mystery_email", "TEXT") == "drop"
    assert Policy.from_dict(p.to_dict()).to_dict() == p.to_dict()
    assert key not in str(Policy(id_secret=key).to_dict()) and key not in repr(Policy(id_secret=key))


def _cloud(n: int = 2000, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return 107.25 + rng.normal(0, 0.02, n), 10.93 + rng.normal(0, 0.02, n)


def test_grid_snap_moves_points_to_cell_centres() -> None:
    lon, lat = _cloud()
    slon, slat = locations.snap_to_grid(lon, lat, 250.0, "EPSG:5899")
    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", "EPSG:5899", always_xy=True).transform(slon, slat)
    assert np.allclose((np.asarray(x) / 250.0) % 1.0, 0.5, atol=1e-3)
    assert np.allclose((np.asarray(y) / 250.0) % 1.0, 0.5, atol=1e-3)
    assert len({(a, b) for a, b in zip(slon, slat)}) < len(lon) / 2
    again = locations.snap_to_grid(lon, lat, 250.0, "EPSG:5899")
    assert np.array_equal(slon, again[0]) and np.array_equal(slat, again[1])
    nan = locations.snap_to_grid(np.array([np.nan]), np.array([10.9]), 250.0, "EPSG:5899")
    assert np.isnan(nan[0][0])


def test_k_anonymity_every_published_location_shared_by_k() -> None:
    lon, lat = _cloud()
    lon = np.append(lon, 107.9)  # a lonely outlier far away: suppressed
    lat = np.append(lat, 11.5)
    klon, klat, suppressed = locations.k_anonymous(lon, lat, 100.0, 5, "EPSG:5899")
    assert suppressed >= 1 and np.isnan(klon[-1])
    ok = np.isfinite(klon)
    _, counts = np.unique(np.stack([klon[ok], klat[ok]], axis=1), axis=0, return_counts=True)
    assert counts.min() >= 5


def test_fold_is_the_per_character_fold_for_every_character() -> None:
    """fold() takes shortcuts (ASCII, a translation table); each must give what fold_char gives, letter by letter."""
    from ioc_qgis_plugin.export.vn_lexicon import fold, fold_char

    chars = [chr(i) for i in range(0x10000) if not 0xD800 <= i < 0xE000]
    assert [fold(c) for c in chars] == [fold_char(c) for c in chars]
    mixed = ["Nguyễn Văn AN", "ĐƯỜNG Lê Lợi", "Æsir Ω ß 中文 đ", "PLAIN ascii 123", ""]
    assert [fold(t) for t in mixed] == ["".join(fold_char(c) for c in t) for t in mixed]


def test_remembering_scrubber_counts_every_occurrence_and_keeps_its_memory_bounded(monkeypatch) -> None:  # noqa: ANN001
    """An export scrubs each distinct text once: same texts out, same removal counts as scrubbing every row."""
    from collections import Counter

    from ioc_qgis_plugin.export import scrub as scrub_mod

    texts = ["Anh Nguyễn Văn An gọi 0912345678", "số 12 Lê Lợi", "Ổ gà trên đường", None] * 50
    plain, remembering = scrub_mod.Scrubber(), scrub_mod.Scrubber(remember=True)
    counts_plain: Counter = Counter()
    counts_remembered: Counter = Counter()
    for method in ("scrub", "address"):
        want = [getattr(plain, method)(t, counts_plain) for t in texts]
        assert [getattr(remembering, method)(t, counts_remembered) for t in texts] == want
    assert counts_remembered == counts_plain and counts_plain["phone"] == 100 and counts_plain["name"] == 100
    assert len(remembering._memo) == 6  # 3 distinct texts, each scrubbed and generalised once
    assert plain._memo is None  # the shared default scrubber keeps no citizen's text
    monkeypatch.setattr(scrub_mod, "MEMO_ENTRIES", 4)
    small = scrub_mod.Scrubber(remember=True)
    for i in range(20):
        assert small.scrub(f"Gọi chị Trần Thị Bình {i}") == plain.scrub(f"Gọi chị Trần Thị Bình {i}")
        assert len(small._memo) <= 4
