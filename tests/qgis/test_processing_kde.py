"""ioc:kernel_density in a real QGIS, checked against QGIS's own heatmap algorithm on the same points."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal
from qgis.core import QgsApplication, QgsFeature, QgsGeometry, QgsPointXY, QgsProcessingException, QgsVectorLayer


def heatmap_id() -> str:
    """qgis:heatmapkerneldensityestimation in 3.22, native:… later: look it up rather than hard-code a version."""
    ids = [a.id() for a in QgsApplication.processingRegistry().algorithms()]
    found = [i for i in ids if i.endswith(":heatmapkerneldensityestimation")]
    assert found, "QGIS heatmap algorithm not found"
    return sorted(found, key=lambda i: not i.startswith("native:"))[0]


def points(n: int, crs: str = "EPSG:5899", seed: int = 11) -> QgsVectorLayer:
    rng = np.random.default_rng(seed)
    layer = QgsVectorLayer(f"Point?crs={crs}&field=w:double", "pts", "memory")
    xy = np.vstack([rng.normal([705000, 1210000], 300, (n // 2, 2)), rng.uniform(703000, 707000, (n - n // 2, 2))])
    if crs == "EPSG:4326":
        xy = np.column_stack([107.2 + (xy[:, 0] - 700000) / 1e5, 10.9 + (xy[:, 1] - 1205000) / 1.1e5])
    feats = []
    for i, (x, y) in enumerate(xy):
        f = QgsFeature(layer.fields())
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(float(x), float(y))))
        f.setAttributes([1.0 + i % 4])
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def read(path: str) -> tuple[np.ndarray, tuple]:
    ds = gdal.Open(path)
    band = ds.GetRasterBand(1)
    arr = band.ReadAsArray().astype(np.float64)
    nodata = band.GetNoDataValue()
    return np.where(arr == nodata, 0.0, arr), ds.GetGeoTransform()


@pytest.mark.parametrize(("kernel", "decay"), [(0, 0.0), (1, 0.4), (2, 0.0), (3, 0.0), (4, 0.0)])
def test_exact_mode_equals_qgis_heatmap_raw(ioc_provider, tmp_path: Path, kernel: int, decay: float) -> None:  # noqa: ANN001
    import processing

    layer = points(500)
    common = {"INPUT": layer, "RADIUS": 333.0, "PIXEL_SIZE": 17.0, "KERNEL": kernel, "DECAY": decay}
    ref_path = str(tmp_path / "qgis.tif")
    processing.run(heatmap_id(), {**common, "WEIGHT_FIELD": "w", "OUTPUT_VALUE": 0, "OUTPUT": ref_path})
    res = processing.run(
        "ioc:kernel_density", {**common, "WEIGHT_FIELD": "w", "MODE": 0, "OUTPUT": str(tmp_path / "ioc.tif")}
    )
    ref, ref_gt = read(ref_path)
    got, got_gt = read(res["OUTPUT"])
    assert got.shape == ref.shape
    np.testing.assert_allclose(got_gt, ref_gt)
    assert np.abs(got - ref).max() <= 1e-6 * np.abs(ref).max()
    assert "exact" in res["SUMMARY"]


def test_fast_mode_close_to_qgis_and_density_units(ioc_provider, tmp_path: Path) -> None:  # noqa: ANN001
    import processing

    layer = points(4000)
    common = {"INPUT": layer, "RADIUS": 400.0, "PIXEL_SIZE": 20.0, "KERNEL": 0}
    ref_path = str(tmp_path / "qgis.tif")
    processing.run(heatmap_id(), {**common, "OUTPUT_VALUE": 0, "OUTPUT": ref_path})
    fast = processing.run("ioc:kernel_density", {**common, "MODE": 1, "OUTPUT": str(tmp_path / "fast.tif")})
    ref, _ = read(ref_path)
    got, _ = read(fast["OUTPUT"])
    mask = (ref != 0) | (got != 0)
    rms = np.sqrt(np.mean((got[mask] - ref[mask]) ** 2)) / np.sqrt(np.mean(ref[mask] ** 2))
    assert rms < 0.01
    dens = processing.run(
        "ioc:kernel_density", {**common, "MODE": 1, "OUTPUT_VALUE": 1, "OUTPUT": str(tmp_path / "dens.tif")}
    )
    d, gt = read(dens["OUTPUT"])
    assert d.sum() * gt[1] ** 2 / 1e6 == pytest.approx(4000, rel=0.02)  # density integrates to the count


def test_geographic_input_is_reprojected(ioc_provider, tmp_path: Path) -> None:  # noqa: ANN001
    import processing

    res = processing.run(
        "ioc:kernel_density",
        {"INPUT": points(200, "EPSG:4326"), "RADIUS": 300, "PIXEL_SIZE": 30, "OUTPUT": str(tmp_path / "g.tif")},
    )
    ds = gdal.Open(res["OUTPUT"])
    assert "VN-2000" in ds.GetProjection() and "EPSG:5899" in res["SUMMARY"]


def test_empty_layer_is_refused(ioc_provider, tmp_path: Path) -> None:  # noqa: ANN001
    import processing

    with pytest.raises(QgsProcessingException, match="usable"):
        processing.run("ioc:kernel_density", {"INPUT": points(0), "OUTPUT": str(tmp_path / "e.tif")})
