"""Export the Vietnamese personal-data corpus through the real pipeline and measure what leaks (test and bench).

The corpus rows go into a GeoPackage store next to a small demo city (whose ward and cadastral street names form
the gazetteer), then `python -m ioc_qgis_plugin.export --target file` runs as a data officer would run it, once per
location method, and every output (GeoPackage, GeoJSON, CSV, metadata) is searched.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from ioc_qgis_plugin.export.gazetteer import store_gazetteer
from ioc_qgis_plugin.export.policy import Policy
from ioc_qgis_plugin.store.gpkg import GeoPackageStore

from .vn_pii_corpus import Corpus, Measurement, generate, measure, norm

SECRET = "corpus-secret-for-tests-0123456789"
ROOT = Path(__file__).resolve().parents[2]
TEXT_SKIP = {"lon", "lat", "geom", "fid"}


def build_store(path: Path, n_rows: int = 330, seed: int = 16) -> Corpus:
    from ioc_qgis_plugin.demo.citygen import CityConfig, build

    store = GeoPackageStore.create(path)
    try:
        cfg = CityConfig(reports=5, cameras=2, parcels=300, lights=10, reading_days=1, end="2026-11-20")
        build(store, cfg, log=lambda m: None)
        gaz = store_gazetteer(store)
        wards = [n.removeprefix("Phường ").strip() for n in store.distinct("wards", "name")]
        streets = sorted({n for n in gaz if n not in wards and not n.startswith("Phường")})
        corpus = generate(seed, n_rows, streets, wards)
        base = store.fetch("field_reports", limit=1)[0]
        rows = []
        for i, r in enumerate(corpus.rows):
            rows.append(
                {
                    **{k: base[k] for k in ("service_code", "service_name", "status", "ward_id", "requested_at")},
                    "updated_at": base["updated_at"],
                    "source": "open311",
                    "lat": float(base["lat"]) + (i % 17) * 0.0007,
                    "lon": float(base["lon"]) + (i % 13) * 0.0009,
                    "version": 1,
                    **r,
                }
            )
        with store.transaction():
            store.insert("field_reports", rows, store.point_geometries(rows))
    finally:
        store.close()
    return corpus


def export(store_path: Path, out: Path, location: str) -> None:
    env = {**os.environ, "IOC_EXPORT_ID_SECRET": SECRET, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-m", "ioc_qgis_plugin.export", "--gpkg", str(store_path), "--target", "file"]
    args += ["--out", str(out), "--name", "corpus", "--title", "Corpus", "--location", location, "--k", "5"]
    res = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
    if res.returncode != 0:
        raise RuntimeError(f"export failed: {res.stderr}")


def _row_text(values: dict) -> str:
    return " | ".join(str(v) for k, v in values.items() if k not in TEXT_SKIP and isinstance(v, str))


def outputs(out: Path) -> tuple[dict[str, dict[str, str]], list[str]]:
    """format → {published id → normalised row text}, plus the whole texts of the metadata files."""
    per: dict[str, dict[str, str]] = {}
    con = sqlite3.connect(str(out / "corpus.gpkg"))
    con.row_factory = sqlite3.Row
    per["gpkg"] = {r["report_id"]: norm(_row_text(dict(r))) for r in con.execute("SELECT * FROM field_reports")}
    con.close()
    gj = json.loads((out / "corpus-field_reports.geojson").read_text(encoding="utf-8"))
    per["geojson"] = {f["properties"]["report_id"]: norm(_row_text(f["properties"])) for f in gj["features"]}
    text = (out / "corpus-field_reports.csv").read_bytes().decode("utf-8-sig")
    per["csv"] = {r["report_id"]: norm(_row_text(r)) for r in csv.DictReader(io.StringIO(text))}
    wholes = [(out / "corpus.metadata.json").read_text(encoding="utf-8"), (out / "SHA256SUMS").read_text()]
    return per, wholes


def run(store_path: Path, corpus: Corpus, out: Path, location: str) -> Measurement:
    export(store_path, out, location)
    per, wholes = outputs(out)
    policy = Policy(id_secret=SECRET)
    ids = [policy.public_id(r["report_id"]) for r in corpus.rows]
    row_texts = {fmt: [rows[i] for i in ids] for fmt, rows in per.items()}
    return measure(corpus, row_texts, wholes)
