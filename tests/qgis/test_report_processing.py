"""ioc:report_statistics in a real QGIS, on a GeoPackage written by the store: same numbers as the core."""

from __future__ import annotations

import csv
import json

import pytest
from qgis.core import QgsProcessingException, QgsVectorLayer

from ioc_qgis_plugin.core.report_stats import COUNT_FIELDS, from_store
from ioc_qgis_plugin.core.sla import SlaRules
from ioc_qgis_plugin.store.gpkg import GeoPackageStore
from tests.support.open311_data import demo_rows


@pytest.fixture(scope="module")
def reports_gpkg(tmp_path_factory):
    path = tmp_path_factory.mktemp("stats") / "ioc.gpkg"
    store = GeoPackageStore.create(path)
    rows = demo_rows(800)
    rows[0]["lat"] = rows[0]["lon"] = None  # a report without a location still counts
    store.insert("field_reports", rows, store.point_geometries(rows))
    yield store
    store.close()


def layer(store) -> QgsVectorLayer:
    uri, provider = store.layer_uri("field_reports")
    lyr = QgsVectorLayer(uri, "field_reports", provider)
    assert lyr.isValid()
    return lyr


def run(params: dict) -> dict:
    import processing

    return processing.run("ioc:report_statistics", params)


def test_table_and_csv_match_the_core(ioc_provider, reports_gpkg, tmp_path) -> None:  # noqa: ANN001
    out_csv = tmp_path / "stats.csv"
    res = run(
        {"INPUT": layer(reports_gpkg), "MONTH_FROM": "2023-06", "MONTH_TO": "2024-05", "OUTPUT": "memory:",
         "OUTPUT_CSV": str(out_csv)}
    )  # fmt: skip
    table = res["OUTPUT"]
    if isinstance(table, str):
        from qgis.core import QgsProcessingUtils

        table = QgsProcessingUtils.mapLayerFromString(table, None)
    expected = from_store(reports_gpkg, "2023-06", "2024-05")
    assert table.featureCount() == len(expected) > 0
    assert table.wkbType() == 100  # QgsWkbTypes.NoGeometry
    got = {(f["month"], f["ward_id"], f["service_code"]): [f[k] for k in COUNT_FIELDS] for f in table.getFeatures()}
    want = {(r["month"], r["ward_id"], r["service_code"]): [r[k] for k in COUNT_FIELDS] for r in expected.rows()}
    assert got == want
    months = {k[0] for k in got}
    assert min(months) == "2023-06" and max(months) == "2024-05"
    with open(out_csv, encoding="utf-8-sig") as fh:
        assert len(list(csv.DictReader(fh))) == len(expected)
    assert "received" in res["SUMMARY"]


def test_sla_rules_file(ioc_provider, reports_gpkg, tmp_path) -> None:  # noqa: ANN001
    rules = tmp_path / "sla.json"
    rules.write_text(json.dumps({"rules": [{"category": "*", "priority": "*", "hours": 1}], "default_hours": 1}))
    res = run({"INPUT": layer(reports_gpkg), "SLA_RULES": str(rules), "OUTPUT": "memory:"})
    expected = from_store(reports_gpkg, rules=SlaRules.from_json(rules))
    late = sum(f["resolved_late"] for f in res["OUTPUT"].getFeatures())
    assert late == int(expected.counts["resolved_late"].sum()) > 0


def test_bad_month_is_refused(ioc_provider, reports_gpkg) -> None:  # noqa: ANN001
    with pytest.raises(QgsProcessingException):
        run({"INPUT": layer(reports_gpkg), "MONTH_FROM": "May 2024", "OUTPUT": "memory:"})
