"""Open311 parsing: the spec's documented examples (JSON and XML) and the bad input real servers send."""

from __future__ import annotations

from pathlib import Path

import pytest

from ioc_qgis_plugin.connectors import open311_parse as p

FIX = Path(__file__).parent / "fixtures" / "open311"


def read(name: str) -> bytes:
    return (FIX / name).read_bytes()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_spec_requests_example_parses_the_same_in_json_and_xml(fmt: str) -> None:
    raws = p.request_records(read(f"requests.{fmt}"), fmt)
    rows, problems = p.normalise_batch(raws, bounds=None)
    assert [r["report_id"] for r in rows] == ["638344", "638349"]
    first = rows[0]
    assert first["service_code"] == "006"  # leading zeros kept (the spec's JSON writes 006 unquoted)
    assert first["status"] == "closed" and rows[1]["status"] == "received"
    assert first["status_notes"] == "Duplicate request."
    assert first["requested_at"] == "2010-04-14T14:37:38.000Z"  # -08:00 → UTC
    assert first["expected_at"] == "2010-04-15T14:37:38.000Z"
    assert first["lat"] == pytest.approx(37.762221815) and first["lon"] == pytest.approx(-122.4651145)
    assert first["description"] is None and first["agency_responsible"] is None
    assert first["media_url"].endswith("638344.jpg")  # trailing space in the spec sample trimmed
    assert problems == []


def test_spec_example_outside_vietnam_keeps_the_report_without_location() -> None:
    rows, problems = p.normalise_batch(p.request_records(read("requests.json"), "json"))
    assert len(rows) == 2 and all(r["lat"] is None and r["lon"] is None for r in rows)
    assert {pr.request_id for pr in problems} == {"638344", "638349"}
    assert all("out of range" in pr.message and pr.severity == "error" for pr in problems)
    assert "638344" in str(problems[0])  # the log line names the request


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_spec_services_and_definition(fmt: str) -> None:
    services = p.service_records(read(f"services.{fmt}"), fmt)
    assert [s["service_code"] for s in services] == ["001", "002", "003"]
    assert services[0]["metadata"] is True and services[1]["group"] == "street"
    definition = p.service_definition(read(f"service_definition.{fmt}"), fmt)
    assert definition["service_code"] == "DMV66"
    (attr,) = definition["attributes"]
    assert attr["code"] == "WHISHETN" and attr["required"] is True and attr["variable"] is True
    assert attr["values"] == [{"key": "123", "name": "Ford"}, {"key": "124", "name": "Chrysler"}]


def test_spec_post_answers_tokens_errors_and_discovery() -> None:
    (created,) = p.request_records(read("post_request.json"), "json")
    assert created["service_request_id"] == 293944 and created["account_id"] is None
    (tok,) = p.request_records(read("post_request_token.xml"), "xml")
    assert tok == {"token": "12345"}
    (looked_up,) = p.request_records(read("token.json"), "json")
    assert str(looked_up["service_request_id"]) == "638344"
    for fmt in ("json", "xml"):
        body = read(f"errors.{fmt}")
        data = p.loads_xml(body) if fmt == "xml" else p.loads_json(body)
        (err,) = p.error_list(data)
        assert err.code == "403" and "api_key" in err.description
        with pytest.raises(p.Open311FormatError, match="error list"):
            p.request_records(body, fmt)
    doc = p.discovery(read("discovery.json"), "json")
    assert doc["endpoints"][1]["type"] == "production"


def test_a_request_without_id_is_skipped_the_rest_kept() -> None:
    raws = [
        {"service_code": "traffic", "lat": 10.9, "long": 107.2, "token": "T1"},
        {"service_request_id": "A1", "service_code": "traffic", "lat": 10.9, "long": 107.2},
    ]
    rows, problems = p.normalise_batch(raws)
    assert [r["report_id"] for r in rows] == ["A1"]
    assert problems[0].severity == "error" and "token T1" in problems[0].message


def test_swapped_and_out_of_range_coordinates() -> None:
    rows, problems = p.normalise_batch(
        [
            {"service_request_id": "S", "service_code": "x", "lat": "107.25", "long": "10.94"},
            {"service_request_id": "O", "service_code": "x", "lat": 48.85, "long": 2.35},
            {"service_request_id": "Z", "service_code": "x", "lat": "abc", "long": "107"},
            {"service_request_id": "K", "service_code": "x", "lat": "10,95", "long": "107,2"},
        ]
    )
    by_id = {r["report_id"]: r for r in rows}
    assert (by_id["S"]["lat"], by_id["S"]["lon"]) == (10.94, 107.25)
    assert by_id["O"]["lat"] is None and by_id["Z"]["lon"] is None
    assert (by_id["K"]["lat"], by_id["K"]["lon"]) == (10.95, 107.2)  # decimal comma
    msgs = {pr.request_id: pr.message for pr in problems if pr.field == "lat/long"}
    assert "swapped" in msgs["S"] and "out of range" in msgs["O"] and "unreadable" in msgs["Z"]


@pytest.mark.parametrize(
    ("text", "expected", "noted"),
    [
        ("2024-03-01T08:00:00+07:00", "2024-03-01T01:00:00.000Z", False),
        ("2024-03-01T08:00:00", "2024-03-01T01:00:00.000Z", True),  # no offset → Asia/Ho_Chi_Minh
        ("2024-03-01 08:00:00", "2024-03-01T01:00:00.000Z", True),
        ("2024-03-01T08:00:00+0700", "2024-03-01T01:00:00.000Z", False),
        ("2024-03-01T08:00:00+07", "2024-03-01T01:00:00.000Z", False),
        ("2024-03-01T01:00:00.123Z", "2024-03-01T01:00:00.000Z", False),
        ("2024-02-29T20:00:00-05:00", "2024-03-01T01:00:00.000Z", False),
        ("2024-03-01T06:30:00+05:30", "2024-03-01T01:00:00.000Z", False),
        ("1709254800", "2024-03-01T01:00:00.000Z", False),
    ],
)
def test_timestamps(text: str, expected: str, noted: bool) -> None:
    value, note = p.parse_timestamp(text)
    assert value == expected
    assert (note is not None) == noted


def test_bad_timestamps_name_the_request() -> None:
    rows, problems = p.normalise_batch(
        [
            {
                "service_request_id": "T",
                "service_code": "x",
                "requested_datetime": "yesterday",
                "updated_datetime": "2024-02-30T10:00:00+07:00",
            },
            {"service_request_id": "N", "service_code": "x", "requested_datetime": "2024-03-01T08:00:00"},
        ]
    )
    assert rows[0]["requested_at"] is None and rows[0]["updated_at"] is None
    assert rows[1]["requested_at"] == "2024-03-01T01:00:00.000Z"
    fields = {(pr.request_id, pr.field) for pr in problems}
    assert ("T", "requested_datetime") in fields and ("T", "updated_datetime") in fields
    assert ("N", "requested_datetime") in fields  # "read as Asia/Ho_Chi_Minh"


def test_duplicates_keep_the_latest_update() -> None:
    raws = [
        {"service_request_id": "D", "service_code": "x", "status": "open", "updated_datetime": "2024-03-01T10:00Z"},
        {"service_request_id": "D", "service_code": "x", "status": "closed", "updated_datetime": "2024-03-02T10:00Z"},
        {"service_request_id": "D", "service_code": "x", "status": "open", "updated_datetime": "2024-03-01T12:00Z"},
    ]
    rows, problems = p.normalise_batch(raws)
    assert len(rows) == 1 and rows[0]["status"] == "closed"
    assert sum(pr.field == "service_request_id" for pr in problems) == 2


def test_missing_fields_and_rich_statuses() -> None:
    rows, problems = p.normalise_batch(
        [
            {"service_request_id": 7},
            {"service_request_id": 8, "service_code": "x", "status": "open", "detailed_status": "in_progress"},
            {"service_request_id": 9, "service_code": "x", "status": "Assigned"},
            {"service_request_id": 10, "service_code": "x", "status": "weird"},
        ]
    )
    by_id = {r["report_id"]: r for r in rows}
    assert by_id["7"]["service_code"] == "unknown" and by_id["7"]["status"] == "received"
    assert by_id["8"]["status"] == "in_progress" and by_id["9"]["status"] == "assigned"
    assert by_id["10"]["status"] == "received"
    assert {pr.field for pr in problems if pr.request_id == "7"} >= {"service_code", "status"}


@pytest.mark.parametrize(
    ("body", "fmt"),
    [
        (b'[{"service_request_id": 1,', "json"),
        (b"not json at all", "json"),
        (b"<service_requests><request>", "xml"),
        (b"{}}", "json"),
    ],
)
def test_malformed_payloads_raise_a_clear_error(body: bytes, fmt: str) -> None:
    with pytest.raises(p.Open311FormatError, match="malformed"):
        p.request_records(body, fmt)


def test_xml_entities_are_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b"<service_requests><request><description>&b;</description></request></service_requests>"
    )
    with pytest.raises(p.Open311FormatError):
        p.request_records(bomb, "xml")


def test_non_object_items_are_reported_not_fatal() -> None:
    rows, problems = p.normalise_batch(
        p.request_records(b'[1, {"service_request_id": "X", "service_code": "c"}]', "json")
    )
    assert [r["report_id"] for r in rows] == ["X"]
    assert problems and problems[0].severity == "error"
