"""Read a cadastral file (Shapefile, GeoPackage, DGN v7, DXF) through GDAL/OGR into plain Python/WKB.

GDAL errors are collected, not raised globally (osgeo's UseExceptions is process-wide and would change QGIS's
behaviour), and any failure while reading makes the whole file refused: a half-read sheet is never imported.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from .errors import CadastreError, ImportCancelled

CAD_DRIVERS = {"DGN", "DXF"}
Progress = Optional[Callable[[float], None]]
Cancelled = Optional[Callable[[], bool]]


@dataclass
class CadastreData:
    path: str
    layer: str
    driver: str
    field_names: list[str]
    attrs: dict[str, list]
    wkb: list[Optional[bytes]]  # 2D ISO WKB in the file's CRS; None = feature without geometry
    geom_types: Counter
    srs_wkt: str
    fids: list[int]
    labels: list[tuple[float, float, str]] = field(default_factory=list)  # CAD text: x, y, text
    warnings: list[str] = field(default_factory=list)

    @property
    def is_cad(self) -> bool:
        return self.driver in CAD_DRIVERS

    def __len__(self) -> int:
        return len(self.wkb)


class _GdalErrors:
    """Collects GDAL messages while installed (a Python error handler; restored on exit)."""

    def __init__(self) -> None:
        self.failures: list[str] = []
        self.warnings: list[str] = []

    def __call__(self, err_class: int, err_no: int, msg: str) -> None:
        from osgeo import gdal

        (self.failures if err_class >= gdal.CE_Failure else self.warnings).append(str(msg).strip())

    def __enter__(self) -> _GdalErrors:
        from osgeo import gdal

        gdal.PushErrorHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        from osgeo import gdal

        gdal.PopErrorHandler()


def list_layers(path: str) -> list[str]:
    from osgeo import gdal

    with _GdalErrors():
        ds = gdal.OpenEx(str(path), gdal.OF_VECTOR | gdal.OF_READONLY)
        if ds is None:
            return []
        return [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]


def _pick_layer(ds, name: Optional[str]):  # noqa: ANN001, ANN202 - OGR objects
    from osgeo import ogr

    if name:
        lyr = ds.GetLayerByName(name)
        if lyr is None:
            raise CadastreError(f"The file has no layer '{name}'.")
        return lyr
    layers = [ds.GetLayer(i) for i in range(ds.GetLayerCount())]
    if not layers:
        raise CadastreError("The file contains no layer.")
    polygonal = [lyr for lyr in layers if ogr.GT_Flatten(lyr.GetGeomType()) in (ogr.wkbPolygon, ogr.wkbMultiPolygon)]
    named = [lyr for lyr in polygonal if any(k in lyr.GetName().lower() for k in ("thua", "parcel"))]
    return (named or polygonal or layers)[0]


def read_cadastre(
    path: str | Path, layer: Optional[str] = None, progress: Progress = None, cancelled: Cancelled = None
) -> CadastreData:
    p = Path(path)
    if not p.exists():
        raise CadastreError(f"File not found: {p}")
    try:
        return _read(p, layer, progress, cancelled)
    except SystemError as exc:
        # osgeo could not hand a GDAL message over to Python (bytes that are not UTF-8): the read failed
        raise CadastreError(
            f"Cannot read {p.name}: GDAL reported an error whose text is not UTF-8 (damaged or foreign file). "
            "Nothing was imported."
        ) from exc
    except (OverflowError, RuntimeError, TypeError, ValueError, MemoryError) as exc:
        # osgeo raising on a damaged file (absurd counts from a corrupt header, undecodable names, …)
        raise CadastreError(
            f"{p.name} is damaged and cannot be read ({type(exc).__name__}: {str(exc)[:120]}). Nothing was imported."
        ) from exc


def _text(value: object) -> str:
    """osgeo returns bytes when a text (e.g. a .prj with a 0xA0 byte) is not UTF-8: read it as Latin-1 (lossless),
    with no-break spaces as spaces."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return str(value or "").replace("\xa0", " ")


def _read(p: Path, layer: Optional[str], progress: Progress, cancelled: Cancelled) -> CadastreData:
    from osgeo import gdal, ogr

    with _GdalErrors() as errors:
        ds = gdal.OpenEx(str(p), gdal.OF_VECTOR | gdal.OF_READONLY)
        if ds is None:
            detail = errors.failures[-1] if errors.failures else "not a readable Shapefile, GeoPackage, DGN or DXF"
            raise CadastreError(f"Cannot open {p.name}: {detail}.")
        driver = ds.GetDriver().ShortName
        lyr = _pick_layer(ds, layer)
        defn = lyr.GetLayerDefn()
        names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
        srs = lyr.GetSpatialRef()
        srs_wkt = _text(srs.ExportToWkt()) if srs is not None else ""
        total = max(lyr.GetFeatureCount(), 1)
        attrs: dict[str, list] = {n: [] for n in names}
        wkbs: list[Optional[bytes]] = []
        fids: list[int] = []
        types: Counter = Counter()
        labels: list[tuple[float, float, str]] = []
        cad = driver in CAD_DRIVERS
        text_idx = defn.GetFieldIndex("Text") if cad else -1
        lyr.ResetReading()
        i = 0
        while True:
            f = lyr.GetNextFeature()
            if f is None:
                break
            i += 1
            if i % 5000 == 0:
                if cancelled is not None and cancelled():
                    raise ImportCancelled("Import cancelled while reading the file; nothing was imported.")
                if progress is not None:
                    progress(min(i / total, 1.0))
            g = f.GetGeometryRef()
            if cad and g is not None and text_idx >= 0 and ogr.GT_Flatten(g.GetGeometryType()) == ogr.wkbPoint:
                text = f.GetField(text_idx)
                text = _text(text) if isinstance(text, bytes) else text
                if text:  # parcel labels (number, land-use code, area) placed as text in the drawing
                    labels.append((g.GetX(), g.GetY(), str(text)))
                    continue
            if g is None:
                types["None"] += 1
                wkbs.append(None)
            else:
                if g.HasCurveGeometry():
                    g = g.GetLinearGeometry()
                g.FlattenTo2D()
                types[g.GetGeometryName().title().replace("string", "String")] += 1
                wkbs.append(bytes(g.ExportToIsoWkb()))
            fids.append(f.GetFID())
            for k, n in enumerate(names):  # by index: by name, OGR looks the field up for every value
                attrs[n].append(f.GetField(k))
        if errors.failures:
            raise CadastreError(
                f"{p.name} is damaged (read stopped at feature {i}): {errors.failures[0]}. Nothing was imported."
            )
        expected = lyr.GetFeatureCount(force=0)
        if not cad and expected > 0 and expected != len(wkbs):
            raise CadastreError(
                f"{p.name} is damaged: its header announces {expected} features but {len(wkbs)} could be read."
            )
        data = CadastreData(str(p), lyr.GetName(), driver, names, attrs, wkbs, types, srs_wkt, fids, labels)
        data.warnings.extend(w for w in dict.fromkeys(errors.warnings) if w)
        if progress is not None:
            progress(1.0)
        return data
