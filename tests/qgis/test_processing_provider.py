"""The IOC Processing provider in a real QGIS: it loads every script, survives a broken one, and Gi* runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsProcessingException, QgsVectorLayer

from ioc_qgis_plugin.processing import provider as provider_mod
from ioc_qgis_plugin.processing.provider import IocProcessingProvider

EXPECTED_IDS = {
    "ioc:hotspots_gistar",
    "ioc:optimized_hotspots",
    "ioc:kernel_density",
    "ioc:emerging_hotspots",
    "ioc:density_clusters",
    "ioc:camera_coverage_gaps",
    "ioc:deadline_performance",
}


def incident_layer(n: int = 400, seed: int = 3, crs: str = "EPSG:4326") -> QgsVectorLayer:
    """Random incidents around Long Khánh with a dense cluster in the north-east."""
    rng = np.random.default_rng(seed)
    layer = QgsVectorLayer(f"Point?crs={crs}&field=report_id:string&field=weight:double", "incidents", "memory")
    base = rng.uniform([107.20, 10.92], [107.26, 10.97], size=(n, 2))
    hot = rng.normal([107.25, 10.96], 0.002, size=(n // 2, 2))
    feats = []
    for i, (x, y) in enumerate(np.vstack([base, hot])):
        f = QgsFeature(layer.fields())
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(float(x), float(y))))
        f.setAttributes([f"R{i}", 1.0 + (i % 3)])
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def test_provider_loads_every_script(ioc_provider) -> None:  # noqa: ANN001
    ids = {alg.id() for alg in ioc_provider.algorithms()}
    assert ids >= EXPECTED_IDS
    assert ioc_provider.failed == {}
    for alg in ioc_provider.algorithms():
        assert alg.displayName() and alg.shortHelpString() and alg.group()


def test_broken_script_is_skipped_and_logged(tmp_path: Path, monkeypatch, qgis_app) -> None:  # noqa: ANN001
    good = Path(provider_mod.scripts_dir()) / "hotspots_gistar.py"
    (tmp_path / "hotspots_gistar.py").write_text(good.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "broken.py").write_text("raise RuntimeError('boom')\n", encoding="utf-8")
    (tmp_path / "_private.py").write_text("raise RuntimeError('never imported')\n", encoding="utf-8")
    monkeypatch.setattr(provider_mod, "scripts_dir", lambda: tmp_path)
    prov = IocProcessingProvider()
    prov.loadAlgorithms()
    assert [a.name() for a in prov.algorithms()] == ["hotspots_gistar"]
    assert list(prov.failed) == ["broken.py"] and "boom" in prov.failed["broken.py"]


def test_gistar_grid_finds_the_cluster(ioc_provider) -> None:  # noqa: ANN001
    import processing

    res = processing.run(
        "ioc:hotspots_gistar",
        {"INPUT": incident_layer(), "AGGREGATION": 0, "CELL_SIZE": 500, "OUTPUT": "memory:"},
    )
    out = res["OUTPUT"]
    assert out.crs().authid() == "EPSG:5899"  # geographic input was reprojected to the analysis CRS
    names = out.fields().names()
    assert {"GiZScore", "GiPValue", "Gi_Bin", "n_neighbors"} <= set(names)
    rows = [f.attributes() for f in out.getFeatures()]
    bins = np.array([r[names.index("Gi_Bin")] for r in rows])
    values = np.array([r[names.index("value")] for r in rows])
    assert values.sum() == 600
    assert (bins == 3).sum() >= 1
    # the busiest cell is a 99 % hot spot
    assert bins[values.argmax()] == 3
    assert "hot spots" in res["SUMMARY"] or "điểm nóng" in res["SUMMARY"]


def test_gistar_hex_and_knn(ioc_provider) -> None:  # noqa: ANN001
    import processing

    res = processing.run(
        "ioc:hotspots_gistar",
        {
            "INPUT": incident_layer(),
            "AGGREGATION": 1,
            "CELL_SIZE": 400,
            "NEIGHBOURHOOD": 1,
            "K_NEIGHBOURS": 6,
            "FDR": False,
            "OUTPUT": "memory:",
        },
    )
    out = res["OUTPUT"]
    geom = next(out.getFeatures()).geometry()
    assert len(geom.asPolygon()[0]) == 7  # hexagon, closed ring
    assert "k=6" in res["SUMMARY"]


def test_gistar_features_with_value_field(ioc_provider) -> None:  # noqa: ANN001
    import processing

    res = processing.run(
        "ioc:hotspots_gistar",
        {"INPUT": incident_layer(60), "AGGREGATION": 2, "VALUE_FIELD": "weight", "OUTPUT": "memory:"},
    )
    assert res["OUTPUT"].featureCount() == 90


@pytest.mark.parametrize("n", [0, 1])
def test_gistar_too_few_features_is_a_clear_error(ioc_provider, n: int) -> None:  # noqa: ANN001
    import processing

    layer = incident_layer(0) if n == 0 else incident_layer(2)
    if n == 1:
        layer.dataProvider().deleteFeatures([f.id() for f in layer.getFeatures()][1:])
    with pytest.raises(QgsProcessingException, match="usable"):
        processing.run("ioc:hotspots_gistar", {"INPUT": layer, "OUTPUT": "memory:"})


def test_gistar_identical_points(ioc_provider) -> None:  # noqa: ANN001
    import processing

    layer = QgsVectorLayer("Point?crs=EPSG:5899", "same", "memory")
    feats = []
    for _ in range(10):
        f = QgsFeature()
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(700000, 1210000)))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    with pytest.raises(QgsProcessingException, match="one cell"):
        processing.run("ioc:hotspots_gistar", {"INPUT": layer, "CELL_SIZE": 100, "OUTPUT": "memory:"})
