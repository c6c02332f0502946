"""Incident analytics benchmarks (measurements, never pass/fail on time): Gi* vs libpysal+esda, KDE vs QGIS heatmap.

Each figure is measured against its reference in the same run and written to bench/results.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from ioc_qgis_plugin.analytics.gistar import gi_star
from ioc_qgis_plugin.analytics.kde import NODATA, kde_exact, kde_fast

ROOT = Path(__file__).resolve().parents[2]


def incidents(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Incident-like points: clustered plus background, density ~1 per 100 m × 100 m, in projected metres."""
    rng = np.random.default_rng(seed)
    side = np.sqrt(n) * 100.0
    k = max(n // 2000, 5)
    centres = rng.uniform(0, side, (k, 2))
    clustered = centres[rng.integers(0, k, n // 2)] + rng.normal(0, side / 60, (n // 2, 2))
    xy = np.vstack([clustered, rng.uniform(0, side, (n - n // 2, 2))]) + [700_000.0, 1_200_000.0]
    y = rng.poisson(3, n).astype(float)
    return xy, y


def test_bench_gistar_vs_pysal_100k(bench_record) -> None:  # noqa: ANN001
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import esda
        import libpysal

    xy, y = incidents(100_000)
    band = 250.0
    t = time.perf_counter()
    ours = gi_star(xy, y, band=band)
    t_ours = time.perf_counter() - t
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = libpysal.weights.DistanceBand(xy, threshold=band, silence_warnings=True)
        ref = esda.G_Local(y, w, transform="B", star=True, permutations=0)
    t_ref = time.perf_counter() - t
    connected = np.array([w.cardinalities[i] > 0 for i in w.id_order])
    dz = float(np.abs(ours.z[connected] - ref.Zs[connected]).max())
    mean_nb = float(ours.n_neighbours.mean() - 1)
    bench_record(
        "gistar_100k_seconds",
        t_ours,
        "s",
        reference=t_ref,
        reference_name="libpysal.weights.DistanceBand + esda.G_Local(star=True, transform='B', permutations=0)",
        target="ratio >= 20",
        note=f"band {band} m, {mean_nb:.1f} neighbours on average, weights + z end to end",
    )
    bench_record(
        "gistar_100k_max_abs_z_diff", dz, "z", target="<= 1e-9", note=f"features with >= 1 neighbour; {dz:.3e}"
    )


_MILLION = """
import json, sys, time
import numpy as np
sys.path.insert(0, {root!r})
from tests.bench.test_bench_analytics import incidents
from ioc_qgis_plugin.analytics.{module} import {func}
xy, y = incidents(1_000_000)
def hwm_mb():  # VmHWM belongs to this address space (ru_maxrss would inherit the parent's peak across exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
base = hwm_mb()
t = time.perf_counter()
{call}
elapsed = time.perf_counter() - t
print(json.dumps({{"seconds": elapsed, "peak_mb": hwm_mb(), "input_mb": base, "info": {info}}}))
"""


def run_million(module: str, func: str, call: str, info: str) -> dict:
    """A fresh interpreter, so the peak resident memory belongs to this one computation."""
    code = _MILLION.format(root=str(ROOT), module=module, func=func, call=call, info=info)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_bench_gistar_1m(bench_record) -> None:  # noqa: ANN001
    res = run_million("gistar", "gi_star", "r = gi_star(xy, y, band=250.0)", "float(r.n_neighbours.mean() - 1)")
    note = f"band 250 m, {res['info']:.1f} neighbours on average; peak resident memory of the process "
    note += f"(VmHWM; {res['input_mb']:.0f} MB of it before the run: interpreter, libraries, input)"
    bench_record("gistar_1m_seconds", res["seconds"], "s", note="weights + z + FDR bins, one process")
    bench_record("gistar_1m_peak_rss", res["peak_mb"], "MB", note=note)


def test_bench_dbscan_1m(bench_record) -> None:  # noqa: ANN001
    res = run_million(
        "clusters", "dbscan", "r = dbscan(xy, eps=60.0, min_samples=10)", "[int(r.max()) + 1, float((r >= 0).mean())]"
    )
    k, share = res["info"]
    note = f"eps 60 m, min_samples 10 (scikit-learn, k-d tree): {k} clusters, {share:.0%} of points clustered; "
    note += f"peak resident memory of the process (VmHWM; {res['input_mb']:.0f} MB before the run)"
    bench_record("dbscan_1m_seconds", res["seconds"], "s", note="labels for 1,000,000 incident-like points")
    bench_record("dbscan_1m_peak_rss", res["peak_mb"], "MB", note=note)


@pytest.fixture(scope="module")
def heatmap(qgis_app):  # noqa: ANN001 - pytest-qgis fixture
    from processing.core.Processing import Processing
    from qgis.core import QgsApplication

    Processing.initialize()
    ids = [a.id() for a in QgsApplication.processingRegistry().algorithms()]
    found = sorted((i for i in ids if i.endswith(":heatmapkerneldensityestimation")), key=lambda i: "native" not in i)
    return found[0]


def test_bench_kde_vs_qgis_heatmap_100k(bench_record, heatmap: str) -> None:  # noqa: ANN001
    import processing
    from osgeo import gdal
    from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsVectorLayer

    xy, _ = incidents(100_000, seed=4)
    radius, pixel = 300.0, 30.0  # a 21×21-pixel kernel block
    layer = QgsVectorLayer("Point?crs=EPSG:5899", "pts", "memory")
    feats = []
    for x, y in xy:
        f = QgsFeature()
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(float(x), float(y))))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "qgis.tif")
        t = time.perf_counter()
        processing.run(heatmap, {"INPUT": layer, "RADIUS": radius, "PIXEL_SIZE": pixel, "KERNEL": 0,
                                 "OUTPUT_VALUE": 0, "OUTPUT": out})  # fmt: skip
        t_qgis = time.perf_counter() - t
        ds = gdal.Open(out)
        band = ds.GetRasterBand(1)
        ref = band.ReadAsArray().astype(np.float64)
        ref[ref == band.GetNoDataValue()] = 0.0
        ds = None
    t = time.perf_counter()
    fast = kde_fast(xy, radius, pixel, "quartic")
    t_fast = time.perf_counter() - t
    t = time.perf_counter()
    exact = kde_exact(xy, radius, pixel, "quartic")
    t_exact = time.perf_counter() - t
    mask = (ref != 0) | (fast.values != 0)
    rms = float(np.sqrt(np.mean((fast.values[mask] - ref[mask]) ** 2)) / np.sqrt(np.mean(ref[mask] ** 2)))
    ex = np.where(exact.values == NODATA, 0.0, exact.values)
    rel_exact = float(np.abs(ex - ref).max() / np.abs(ref).max())
    ref_name = f"QGIS {heatmap} (raw, quartic), in-process, memory layer"
    note = f"radius {radius} m, pixel {pixel} m, raster {ref.shape[1]}x{ref.shape[0]}"
    bench_record("kde_fast_100k_seconds", t_fast, "s", reference=t_qgis, reference_name=ref_name,
                 target="ratio >= 10", note=note)  # fmt: skip
    bench_record("kde_fast_100k_rms_rel_diff", rms, "ratio", target="<= 0.01", note="relative RMS vs QGIS raster")
    bench_record("kde_exact_100k_seconds", t_exact, "s", reference=t_qgis, reference_name=ref_name, note=note)
    bench_record(
        "kde_exact_100k_max_rel_diff", rel_exact, "ratio", target="<= 1e-6", note=f"max |diff| / max = {rel_exact:.3e}"
    )
