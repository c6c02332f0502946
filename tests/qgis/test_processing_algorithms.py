"""Every other IOC algorithm runs through processing.run on small memory layers shaped like the store's tables."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsProcessingException, QgsVectorLayer

T0 = datetime(2025, 1, 6, tzinfo=timezone.utc)  # a Monday


def field_reports(n: int = 600, seed: int = 1) -> QgsVectorLayer:
    """field_reports-like layer (EPSG:4326): a hot spot in the north-east that grows over the last weeks."""
    rng = np.random.default_rng(seed)
    fields = "&".join(
        f"field={f}:string"
        for f in ("report_id", "service_code", "priority", "status", "ward_id", "requested_at", "due_at", "resolved_at")
    )
    layer = QgsVectorLayer(f"Point?crs=EPSG:4326&{fields}", "field_reports", "memory")
    feats = []
    for i in range(n):
        late = i >= n * 2 // 3
        if late and i % 2:
            lon, lat = rng.normal([107.25, 10.96], 0.0015)
            day = 49 + rng.integers(0, 14)
        else:
            lon, lat = rng.uniform([107.20, 10.92], [107.26, 10.97])
            day = rng.integers(0, 63)
        req = T0 + timedelta(days=int(day), hours=int(rng.integers(0, 24)))
        status = ("resolved", "in_progress", "received", "closed", "rejected")[i % 5]
        resolved = req + timedelta(hours=int(rng.integers(1, 40))) if status in ("resolved", "closed") else None
        f = QgsFeature(layer.fields())
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(float(lon), float(lat))))
        f.setAttributes(
            [
                f"R{i}",
                ("traffic", "environment", "urban_order")[i % 3],
                "urgent" if i % 7 == 0 else "normal",
                status,
                f"W{i % 4}",
                req.strftime("%Y-%m-%dT%H:%M:%SZ"),
                None,
                resolved.strftime("%Y-%m-%dT%H:%M:%SZ") if resolved else None,
            ]
        )
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def cameras() -> QgsVectorLayer:
    layer = QgsVectorLayer(
        "Point?crs=EPSG:4326&field=camera_id:string&field=name:string&field=bearing:double&field=angle:double"
        "&field=range_m:double",
        "cameras",
        "memory",
    )
    feats = []
    for i, (lon, lat, bearing) in enumerate([(107.21, 10.93, 45.0), (107.23, 10.95, 180.0), (107.22, 10.925, None)]):
        f = QgsFeature(layer.fields())
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(lon, lat)))
        f.setAttributes([f"C{i}", f"Camera {i}", bearing, 60.0 if bearing is not None else None, 150.0])
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def wards() -> QgsVectorLayer:
    layer = QgsVectorLayer("Polygon?crs=EPSG:4326&field=ward_id:string", "wards", "memory")
    feats = []
    for i in range(4):
        f = QgsFeature(layer.fields())
        x0 = 107.20 + 0.015 * i
        f.setGeometry(
            QgsGeometry.fromWkt(f"POLYGON(({x0} 10.92,{x0 + 0.015} 10.92,{x0 + 0.015} 10.97,{x0} 10.97,{x0} 10.92))")
        )
        f.setAttributes([f"W{i}"])
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def run(alg: str, params: dict) -> dict:
    import processing

    return processing.run(alg, params)


def test_optimized_hotspots(ioc_provider) -> None:  # noqa: ANN001
    res = run("ioc:optimized_hotspots", {"INPUT": field_reports(), "OUTPUT": "memory:"})
    out = res["OUTPUT"]
    assert out.featureCount() > 30
    assert max(f["Gi_Bin"] for f in out.getFeatures()) == 3
    assert "cell size" in res["SUMMARY"] and "distance band" in res["SUMMARY"]


def test_optimized_refuses_too_few(ioc_provider) -> None:  # noqa: ANN001
    with pytest.raises(QgsProcessingException, match="usable"):
        run("ioc:optimized_hotspots", {"INPUT": field_reports(10), "OUTPUT": "memory:"})


def test_emerging_hotspots(ioc_provider) -> None:  # noqa: ANN001
    res = run(
        "ioc:emerging_hotspots",
        {"INPUT": field_reports(), "TIME_FIELD": "requested_at", "STEP": 0, "CELL_SIZE": 600, "OUTPUT": "memory:"},
    )
    out = res["OUTPUT"]
    patterns = {f["pattern"] for f in out.getFeatures() if f["category"] > 0}
    assert patterns & {"new hot spot", "consecutive hot spot", "sporadic hot spot", "Điểm nóng mới xuất hiện"}
    assert "9 weeks" in res["SUMMARY"]


def test_density_clusters_dbscan(ioc_provider) -> None:  # noqa: ANN001
    res = run(
        "ioc:density_clusters",
        {"INPUT": field_reports(), "METHOD": 0, "EPS": 80, "MIN_SAMPLES": 8, "OUTPUT": "memory:", "HULLS": "memory:"},
    )
    ids = [f["cluster_id"] for f in res["OUTPUT"].getFeatures()]
    assert len(ids) == 600 and max(ids) >= 0 and min(ids) == -1
    hulls = list(res["HULLS"].getFeatures())
    assert hulls and all(h["area_m2"] >= 0 for h in hulls)
    assert "DBSCAN" in res["SUMMARY"]


def test_density_clusters_hdbscan(ioc_provider) -> None:  # noqa: ANN001
    from ioc_qgis_plugin.analytics.clusters import hdbscan_available

    params = {"INPUT": field_reports(), "METHOD": 1, "MIN_CLUSTER_SIZE": 25, "OUTPUT": "memory:", "HULLS": "memory:"}
    if hdbscan_available() is None:
        with pytest.raises(QgsProcessingException, match="hdbscan"):
            run("ioc:density_clusters", params)
    else:
        res = run("ioc:density_clusters", params)
        assert res["HULLS"].featureCount() >= 1


def test_camera_coverage_gaps(ioc_provider) -> None:  # noqa: ANN001
    res = run(
        "ioc:camera_coverage_gaps",
        {"INPUT": field_reports(), "CAMERAS": cameras(), "CELL_SIZE": 300, "MIN_BIN": 0, "OUTPUT": "memory:"},
    )
    gaps = list(res["OUTPUT"].getFeatures())
    assert gaps, res["SUMMARY"]
    assert [g["rank"] for g in gaps] == list(range(1, len(gaps) + 1))
    assert all(g["covered_pct"] < 50 for g in gaps)
    assert "3 cameras" in res["SUMMARY"]


def test_deadline_performance(ioc_provider) -> None:  # noqa: ANN001
    res = run(
        "ioc:deadline_performance",
        {"INPUT": field_reports(), "WARDS": wards(), "OUTPUT": "memory:", "WARD_OUTPUT": "memory:"},
    )
    table = list(res["OUTPUT"].getFeatures())
    assert len(table) == 12  # 4 wards × 3 categories
    assert sum(f["total"] for f in table) == 600
    per_ward = list(res["WARD_OUTPUT"].getFeatures())
    assert len(per_ward) == 4 and all(f["on_time_pct"] is not None for f in per_ward)
    assert "600 reports" in res["SUMMARY"]


def test_deadline_performance_needs_report_fields(ioc_provider) -> None:  # noqa: ANN001
    with pytest.raises(QgsProcessingException, match="lack the fields"):
        run("ioc:deadline_performance", {"INPUT": cameras(), "OUTPUT": "memory:"})
