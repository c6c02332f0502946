"""IOC algorithms on a PostGIS table, headless, as GIS staff run them: `qgis_process.bin run … INPUT=postgres://…`
(issue 20). The input names a libpq service; the credentials come from the service file and the password file that
PGSERVICEFILE / PGPASSFILE point to, never from the command line. Against a throwaway PostGIS cluster:

- ioc:kernel_density (fast) and ioc:density_clusters give exactly what they give on the same points in a GeoPackage;
- the run's log says the input was read column-wise from PostGIS (the bulk path ran, not the feature fallback);
- no password in stdout, stderr or the outputs;
- a wrong password and a role without SELECT stop with PostgreSQL's reason (not QGIS's bare "not found");
- an authcfg works headless when QGIS_AUTH_PASSWORD_FILE holds the master password, and says why when it does not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import psycopg2
import pytest

from tests.qgis.test_processing_qgis_process import QGIS_PROCESS, ROOT, make_profile
from tests.support.pgcluster import PgCluster

pytestmark = pytest.mark.skipif(not QGIS_PROCESS.exists(), reason="qgis_process.bin not installed")

DB = "city"
N = 3000
NULL_GEOMETRY = (17, 1234)  # rows without a location: skipped the same way on both paths
ANALYST_PW = "pw-analyst-" + os.urandom(4).hex()
OUTSIDER_PW = "pw-outsider-" + os.urandom(4).hex()
WRONG_PW = "pw-wrong-" + os.urandom(4).hex()
MASTER_PW = "master-" + os.urandom(4).hex()
SETUP = f"""
CREATE EXTENSION postgis;
CREATE ROLE analyst LOGIN PASSWORD '{ANALYST_PW}';
CREATE ROLE outsider LOGIN PASSWORD '{OUTSIDER_PW}';
CREATE TABLE public.incidents (fid int4 PRIMARY KEY, geom geometry(Point, 5899));
GRANT SELECT ON public.incidents TO analyst;
"""
KDE = {"RADIUS": 300, "PIXEL_SIZE": 30, "KERNEL": 0, "MODE": 1}
CLUSTERS = {"METHOD": 0, "EPS": 60, "MIN_SAMPLES": 8}


def points() -> np.ndarray:
    """Incidents in EPSG:5899: a uniform background and a few dense spots (DBSCAN finds clusters and noise)."""
    rng = np.random.default_rng(20)
    spots = rng.uniform([702_000, 1_207_000], [705_000, 1_210_000], (6, 2))
    clustered = spots[rng.integers(0, 6, N // 2)] + rng.normal(0, 40, (N // 2, 2))
    return np.round(np.vstack([clustered, rng.uniform([701_500, 1_206_500], [705_500, 1_210_500], (N - N // 2, 2))]), 3)


def write_gpkg(path: Path, xy: np.ndarray) -> Path:
    """The same rows as the PostGIS table: fid i + 1 is point i (no geometry where the table has NULL)."""
    from osgeo import ogr, osr

    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(5899)
    layer = ds.CreateLayer("incidents", srs, ogr.wkbPoint)
    layer.StartTransaction()
    for i, (x, y) in enumerate(xy.tolist()):
        f = ogr.Feature(layer.GetLayerDefn())
        f.SetFID(i + 1)
        if i + 1 not in NULL_GEOMETRY:
            f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({x!r} {y!r})"))
        layer.CreateFeature(f)
    layer.CommitTransaction()
    ds = None
    return path


@pytest.fixture(scope="module")
def city(tmp_path_factory):  # noqa: ANN201
    """A PostGIS database with the incidents, a service file naming it for two roles and their password file."""
    root = tmp_path_factory.mktemp("qp_pg")
    xy = points()
    with PgCluster() as cluster:
        cluster.createdb(DB)
        conn = psycopg2.connect(cluster.dsn(DB))
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(SETUP)
            rows = [(i + 1, None if i + 1 in NULL_GEOMETRY else f"SRID=5899;POINT({x!r} {y!r})")
                    for i, (x, y) in enumerate(xy.tolist())]  # fmt: skip
            cur.executemany("INSERT INTO public.incidents VALUES (%s, %s::geometry)", rows)
        conn.close()
        services = root / "pg_service.conf"
        services.write_text(
            "".join(f"[{role}]\nhost=127.0.0.1\nport={cluster.port}\ndbname={DB}\nuser={role}\n"
                    for role in ("analyst", "outsider")),
            encoding="utf-8",
        )  # fmt: skip
        passwords = root / "pgpass"
        passwords.write_text(
            f"127.0.0.1:{cluster.port}:{DB}:analyst:{ANALYST_PW}\n127.0.0.1:{cluster.port}:{DB}:outsider:{OUTSIDER_PW}\n"
        )
        passwords.chmod(0o600)  # libpq ignores a password file others can read
        wrong = root / "pgpass_wrong"
        wrong.write_text(f"127.0.0.1:{cluster.port}:{DB}:analyst:{WRONG_PW}\n")
        wrong.chmod(0o600)
        yield {
            "cluster": cluster, "root": root, "xy": xy, "gpkg": write_gpkg(root / "incidents.gpkg", xy),
            "env": {"PGSERVICEFILE": str(services), "PGPASSFILE": str(passwords)}, "wrong": wrong,
            "profile": make_profile(root / "cfg", "ioc_process_probe"),
        }  # fmt: skip


def secrets(city: dict) -> list[str]:
    return [ANALYST_PW, OUTSIDER_PW, WRONG_PW, MASTER_PW, city["cluster"].password]


def run(city: dict, alg: str, params: dict, **env: str) -> subprocess.CompletedProcess:
    """`qgis_process.bin --json run` with the test profile, the service/password files and `env` on top."""
    args = [str(QGIS_PROCESS), "--json", "run", alg, "--", *(f"{k}={v}" for k, v in params.items())]
    assert not [s for s in secrets(city) if any(s in a for a in args)]  # nothing secret on the command line
    full_env = {
        **os.environ, "QGIS_CUSTOM_CONFIG_PATH": str(city["profile"]), "QT_QPA_PLATFORM": "offscreen",
        "PROJ_DATA": os.environ.get("PROJ_DATA", "/usr/share/proj"), "PYTHONPATH": str(ROOT), **city["env"], **env,
    }  # fmt: skip
    proc = subprocess.run(args, capture_output=True, text=True, timeout=300, env=full_env, check=False)
    leaked = [s for s in secrets(city) if s in proc.stdout or s in proc.stderr]
    assert not leaked, "a password in qgis_process's output"
    return proc


def succeeded(proc: subprocess.CompletedProcess) -> dict:
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return json.loads(proc.stdout[proc.stdout.index("{") :])


def info(result: dict) -> list[str]:
    return list(result.get("log", {}).get("info", []))


def assert_no_secret_in(city: dict, *paths: Path) -> None:
    for path in paths:
        data = path.read_bytes()
        assert not [s for s in secrets(city) if s.encode() in data], f"a password in {path.name}"


def raster(path: Path) -> tuple[tuple, np.ndarray]:
    from osgeo import gdal

    ds = gdal.Open(str(path))
    band = ds.GetRasterBand(1)
    return (ds.GetGeoTransform(), ds.RasterXSize, ds.RasterYSize, band.GetNoDataValue()), band.ReadAsArray()


def labels(path: Path) -> dict[int, int]:
    from osgeo import ogr

    ds = ogr.Open(str(path))
    return {int(f.GetField("src_fid")): int(f.GetField("cluster_id")) for f in ds.GetLayer(0)}


PG_INPUT = 'postgres://service=analyst key=fid srid=5899 type=Point table="public"."incidents" (geom)'


def test_kernel_density_on_postgis_equals_geopackage(city: dict, tmp_path: Path) -> None:
    pg = succeeded(run(city, "ioc:kernel_density", {"INPUT": PG_INPUT, **KDE, "OUTPUT": tmp_path / "pg.tif"}))
    gpkg = succeeded(run(city, "ioc:kernel_density", {"INPUT": city["gpkg"], **KDE, "OUTPUT": tmp_path / "g.tif"}))
    usable = N - len(NULL_GEOMETRY)
    # the column-wise PostGIS reader ran (the feature-by-feature fallback would say so instead)
    assert f"{usable} features read column-wise from PostGIS." in info(pg), info(pg)
    assert not [line for line in info(pg) if "feature by feature" in line]
    assert f"{usable} features read column-wise from the file." in info(gpkg), info(gpkg)
    assert f"{usable} points" in pg["results"]["SUMMARY"]
    grid_pg, values_pg = raster(tmp_path / "pg.tif")
    grid_gpkg, values_gpkg = raster(tmp_path / "g.tif")
    assert grid_pg == grid_gpkg
    assert values_pg.max() > 0
    assert np.array_equal(values_pg, values_gpkg)
    assert_no_secret_in(city, tmp_path / "pg.tif")


def test_density_clusters_on_postgis_equals_geopackage(city: dict, tmp_path: Path) -> None:
    outputs = {}
    for name, src in (("pg", PG_INPUT), ("file", city["gpkg"])):  # (a layer name may not begin with "gpkg")
        params = {"INPUT": src, **CLUSTERS, "OUTPUT": tmp_path / f"{name}.gpkg", "HULLS": tmp_path / f"{name}_h.gpkg"}
        result = succeeded(run(city, "ioc:density_clusters", params))
        outputs[name] = (result, labels(tmp_path / f"{name}.gpkg"))
    pg_result, pg_labels = outputs["pg"]
    assert f"{N - len(NULL_GEOMETRY)} features read column-wise from PostGIS." in info(pg_result), info(pg_result)
    assert f"Skipped features without geometry: {len(NULL_GEOMETRY)}." in pg_result["results"]["SUMMARY"]
    assert len(pg_labels) == N - len(NULL_GEOMETRY)
    assert not set(NULL_GEOMETRY) & set(pg_labels)
    assert len(set(pg_labels.values()) - {-1}) >= 3 and -1 in pg_labels.values()  # clusters and noise
    assert pg_labels == outputs["file"][1]  # same point → same cluster id
    assert_no_secret_in(city, tmp_path / "pg.gpkg", tmp_path / "pg_h.gpkg")


def test_wrong_password_stops_with_postgresql_reason(city: dict, tmp_path: Path) -> None:
    proc = run(city, "ioc:kernel_density", {"INPUT": PG_INPUT, **KDE, "OUTPUT": tmp_path / "o.tif"},
               PGPASSFILE=str(city["wrong"]))  # fmt: skip
    assert proc.returncode != 0
    assert 'password authentication failed for user "analyst"' in proc.stderr, proc.stderr[-2000:]
    assert not (tmp_path / "o.tif").exists()


def test_role_without_select_gets_permission_denied(city: dict, tmp_path: Path) -> None:
    source = PG_INPUT.replace("service=analyst", "service=outsider")
    params = {"INPUT": source, **CLUSTERS, "OUTPUT": tmp_path / "o.gpkg", "HULLS": tmp_path / "h.gpkg"}
    proc = run(city, "ioc:density_clusters", params)
    assert proc.returncode != 0
    assert "permission denied for table incidents" in proc.stderr, proc.stderr[-2000:]
    assert not (tmp_path / "o.gpkg").exists()


AUTH_SETUP = """
import sys
from qgis.core import QgsApplication, QgsAuthMethodConfig

app = QgsApplication([], False)
app.initQgis()
manager = QgsApplication.authManager()
assert manager.setMasterPassword(sys.stdin.readline().strip(), True)
cfg = QgsAuthMethodConfig("Basic")
cfg.setName("ioc analyst")
cfg.setConfig("username", "analyst")
cfg.setConfig("password", sys.stdin.readline().strip())
assert manager.storeAuthenticationConfig(cfg)[0]
print("AUTHCFG", cfg.id())
app.exitQgis()
"""


def test_authcfg_headless_with_master_password_file(city: dict, tmp_path: Path) -> None:
    """An auth database of its own (QGIS_AUTH_DB_DIR_PATH), unlocked by QGIS_AUTH_PASSWORD_FILE: no prompt, no
    password in the arguments. Without the master password file the error says the database is locked."""
    auth_dir = tmp_path / "auth"
    auth_dir.mkdir()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QGIS_AUTH_DB_DIR_PATH": str(auth_dir),
           "QGIS_CUSTOM_CONFIG_PATH": str(city["profile"])}  # fmt: skip
    made = subprocess.run([sys.executable, "-c", AUTH_SETUP], input=f"{MASTER_PW}\n{ANALYST_PW}\n", env=env,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert made.returncode == 0 and "AUTHCFG " in made.stdout, made.stderr[-2000:]
    authcfg = made.stdout.split("AUTHCFG ")[1].split()[0]
    master = tmp_path / "master"
    master.write_text(MASTER_PW + "\n")
    master.chmod(0o600)
    port = city["cluster"].port
    source = f"postgres://host=127.0.0.1 port={port} dbname={DB} authcfg={authcfg} key=fid table=incidents (geom)"
    params = {"INPUT": source, **KDE, "OUTPUT": tmp_path / "a.tif"}
    no_service = {"PGSERVICEFILE": str(tmp_path / "none"), "PGPASSFILE": str(tmp_path / "none")}
    result = succeeded(run(city, "ioc:kernel_density", params, QGIS_AUTH_DB_DIR_PATH=str(auth_dir),
                           QGIS_AUTH_PASSWORD_FILE=str(master), **no_service))  # fmt: skip
    assert f"{N - len(NULL_GEOMETRY)} features read column-wise from PostGIS." in info(result), info(result)
    assert_no_secret_in(city, tmp_path / "a.tif")
    locked = run(city, "ioc:kernel_density", params, QGIS_AUTH_DB_DIR_PATH=str(auth_dir), **no_service)
    assert locked.returncode != 0
    assert "the authentication database is locked" in locked.stderr, locked.stderr[-2000:]
