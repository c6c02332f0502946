"""Seeded property tests (hypothesis, derandomized, bounded to well under a minute each) over the same pipeline
as `make fuzz`: whatever a server or a file sends, the outcome is "stored cleanly" or "refused clearly" — never an
uncaught exception, never garbage in the store. The deep runs (≥ 10,000 cases each) are `make fuzz`."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ioc_qgis_plugin.devservers.hostile_server import HOSTILE_BODIES, good_request, json_body, xml_body
from tests.support import fuzz

SETTINGS = dict(derandomize=True, deadline=None, suppress_health_check=list(HealthCheck), database=None)

# JSON values a careless or hostile server sends, including lone surrogates, huge and non-finite numbers.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(fuzz.HOSTILE_STRINGS),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
FIELDS = (
    "service_request_id",
    "status",
    "service_code",
    "description",
    "requested_datetime",
    "updated_datetime",
    "lat",
    "long",
    "address",
    "version",
)
requests_ = st.lists(
    st.builds(
        lambda n, over: good_request(n, **over),
        st.integers(0, 99_999),
        st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=4),
    ),
    max_size=6,
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def o311_json(workdir):
    f = fuzz.Open311Fuzzer("json", workdir)
    yield f
    f.close()


@pytest.fixture(scope="module")
def o311_xml(workdir):
    f = fuzz.Open311Fuzzer("xml", workdir)
    yield f
    f.close()


def _clean(outcome: tuple[str, str]) -> None:
    assert outcome[0] in ("ok", "refused"), outcome


@settings(max_examples=150, **SETTINGS)
@given(records=requests_, cut=st.one_of(st.none(), st.integers(0, 4000)))
def test_open311_json_documents(o311_json, records, cut) -> None:
    body = json_body(records)
    _clean(o311_json.run(body if cut is None else body[:cut]))


@settings(max_examples=100, **SETTINGS)
@given(body=st.binary(max_size=300) | st.sampled_from([b for f, b, _ in HOSTILE_BODIES.values() if f == "json"]))
def test_open311_json_raw_bytes(o311_json, body) -> None:
    _clean(o311_json.run(body))


@settings(max_examples=150, **SETTINGS)
@given(records=requests_, trick=st.integers(0, 10), seed=st.integers(0, 2**16))
def test_open311_xml_documents(o311_xml, records, trick, seed) -> None:
    body = xml_body(records)
    rng = random.Random(seed)
    if trick < 4:
        body = fuzz._xml_trick(body, rng)
    elif trick < 6:
        body = fuzz.mutate_bytes(body, rng)
    _clean(o311_xml.run(body))


@pytest.fixture(scope="module")
def st_fuzzer(workdir):
    f = fuzz.SensorThingsFuzzer(workdir)
    yield f
    f.close()


@settings(max_examples=80, **SETTINGS)
@given(seed=st.integers(0, 2**32 - 1))
def test_sensorthings_pages_and_links(st_fuzzer, seed) -> None:
    rng = random.Random(seed)
    case = fuzz.sensorthings_case(rng, st_fuzzer.srv.url, st_fuzzer.other.url)
    _clean(st_fuzzer.run(case, rng))


@pytest.fixture(scope="module")
def cad_fuzzer(workdir):
    f = fuzz.CadastreFuzzer(workdir)
    yield f
    f.close()


@settings(max_examples=30, **SETTINGS)
@given(seed=st.integers(0, 2**32 - 1))
def test_cadastral_files(cad_fuzzer, seed) -> None:
    rng = random.Random(seed)
    _clean(cad_fuzzer.run(cad_fuzzer.make(rng, seed)))
