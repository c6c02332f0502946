"""Decree 13/2023 targets measured on a seeded Vietnamese corpus exported through the real CLI (file target).

0 leaks for every structured kind, names ≤ 2 %, over-scrubbing of look-alikes ≤ 5 %; for both grid and
k-anonymity (k = 5) exports, searching GeoPackage, GeoJSON, CSV and metadata.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.anon_measure import build_store, run
from tests.support.vn_pii_corpus import STRUCTURED_KINDS


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory):  # noqa: ANN201
    path = tmp_path_factory.mktemp("corpus") / "ioc.gpkg"
    return path, build_store(path)


@pytest.mark.parametrize("location", ["grid", "kanon"])
def test_corpus_targets(corpus_store, tmp_path: Path, location: str) -> None:  # noqa: ANN001
    path, corpus = corpus_store
    assert sum(corpus.counts().values()) >= 3000
    assert len(corpus.lookalikes) >= 1000
    m = run(path, corpus, tmp_path / location, location)
    print(f"\n[{location}]\n" + m.table())
    for kind, ex in sorted(m.examples.items()):
        print(kind, ex[:3])
    for kind in STRUCTURED_KINDS:
        assert m.planted[kind] > 0, kind
        assert m.leaked[kind] == 0, (kind, m.examples.get(kind))
    assert m.leak_rate("name") <= 0.02, m.examples.get("name")
    assert m.overscrub_rate <= 0.05, {k: v for k, v in m.examples.items() if k.startswith("lost:")}
