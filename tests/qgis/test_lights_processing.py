"""The street-light Processing algorithms in a real QGIS, on a small demo city."""

from __future__ import annotations

from pathlib import Path

import pytest
from qgis.core import QgsApplication, QgsFeature, QgsGeometry, QgsPointXY, QgsProcessingException, QgsVectorLayer

from ioc_qgis_plugin.demo.citygen import CityConfig, build
from ioc_qgis_plugin.store.gpkg import GeoPackageStore

SMALL = CityConfig(lights=400, reports=1500, parcels=20, cameras=5, end="2024-06-15")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("lights_q") / "demo.gpkg"
    store = GeoPackageStore.create(path)
    build(store, SMALL, log=lambda *_: None)
    store.close()
    return path


def layer(path: Path, name: str) -> QgsVectorLayer:
    lyr = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    assert lyr.isValid()
    return lyr


def test_algorithms_registered(ioc_provider) -> None:  # noqa: ANN001
    ids = {a.id() for a in ioc_provider.algorithms()}
    assert {"ioc:light_outages", "ioc:light_day_night", "ioc:dark_lights_near_reports"} <= ids
    for alg_id in ("ioc:light_outages", "ioc:light_day_night", "ioc:dark_lights_near_reports"):
        alg = QgsApplication.processingRegistry().algorithmById(alg_id)
        assert alg.group() and alg.shortHelpString() and alg.displayName()


def test_light_outages_finds_the_dead_cabinet(ioc_provider, demo: Path) -> None:  # noqa: ANN001
    import processing

    res = processing.run(
        "ioc:light_outages",
        {"INPUT": layer(demo, "street_lights"), "NIGHT": False, "OUTPUT": "memory:", "CIRCUITS": "memory:"},
    )
    dark = res["OUTPUT"]
    classes = [f["outage_class"] for f in dark.getFeatures()]
    assert classes.count("cabinet_supply") >= 30  # the generator cuts one cabinet's supply (40 lamps)
    assert "single_lamp" in classes
    circuits = list(res["CIRCUITS"].getFeatures())
    assert any(c["outage_class"] == "cabinet_supply" and c["dark_share"] == 1.0 for c in circuits)
    assert "cabinet supply faults" in res["SUMMARY"]


def test_light_day_night(ioc_provider, demo: Path) -> None:  # noqa: ANN001
    import processing

    lights = layer(demo, "street_lights")
    # 13:00 local: lit lamps are wrong; 23:00 local: dark lamps are wrong
    day = processing.run("ioc:light_day_night", {"INPUT": lights, "AT": "2024-06-14T06:00:00Z", "OUTPUT": "memory:"})
    night = processing.run("ioc:light_day_night", {"INPUT": lights, "AT": "2024-06-14T16:00:00Z", "OUTPUT": "memory:"})
    day_p = {f["problem"] for f in day["OUTPUT"].getFeatures()}
    night_p = {f["problem"] for f in night["OUTPUT"].getFeatures()}
    assert day_p == {"lit_in_daytime"} and night_p == {"dark_at_night"}
    f = next(day["OUTPUT"].getFeatures())
    assert f["sunrise"].startswith("2024-06-13T22:") and f["sunset"].startswith("2024-06-14T11:")


def reports_near(lights: QgsVectorLayer) -> QgsVectorLayer:
    """Three reports ~35 m from the first dark lamps: only the open security one counts."""
    dark = [f for f in lights.getFeatures() if f["fault"] in ("lampFailure", "supplyLoss")][:3]
    lyr = QgsVectorLayer(
        "Point?crs=EPSG:4326&field=report_id:string&field=service_code:string&field=status:string", "r", "memory"
    )
    feats = []
    for f, (code, status) in zip(dark, [("security", "received"), ("traffic", "closed"), ("environment", "received")]):
        p = f.geometry().asPoint()
        feat = QgsFeature(lyr.fields())
        feat.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(p.x() + 0.0003, p.y() + 0.0001)))
        feat.setAttributes([f"R-{code}", code, status])
        feats.append(feat)
    lyr.dataProvider().addFeatures(feats)
    return lyr


def test_dark_lights_near_reports_and_bad_input(ioc_provider, demo: Path) -> None:  # noqa: ANN001
    import processing

    lights = layer(demo, "street_lights")
    res = processing.run(
        "ioc:dark_lights_near_reports",
        {"LIGHTS": lights, "REPORTS": reports_near(lights), "DISTANCE": 100.0, "OUTPUT": "memory:"},
    )
    feats = list(res["OUTPUT"].getFeatures())
    assert feats, res["SUMMARY"]
    assert {f["nearest_report"] for f in feats} == {"R-security"}
    assert min(f["nearest_m"] for f in feats) < 45 and max(f["nearest_m"] for f in feats) <= 100
    assert res["OUTPUT"].crs().authid() == "EPSG:5899"
    with pytest.raises(QgsProcessingException, match="service_code"):
        processing.run(
            "ioc:dark_lights_near_reports",
            {"LIGHTS": lights, "REPORTS": layer(demo, "street_lights"), "OUTPUT": "memory:"},
        )
