"""Shared plumbing for the IOC Processing scripts: QGIS features ⇄ numpy, CRS choice, outputs, styles, texts.

Scripts stay thin: read the layer once into arrays here, call ioc_qgis_plugin.analytics, write the results back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterable, Optional, Sequence

import numpy as np
from qgis.core import (
    Qgis,
    QgsCategorizedSymbolRenderer,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsFeatureSource,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsLineString,
    QgsMessageLog,
    QgsPoint,
    QgsPointXY,
    QgsPolygon,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingFeedback,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingParameterCrs,
    QgsProject,
    QgsProviderRegistry,
    QgsRendererCategory,
    QgsSettings,
    QgsSymbol,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QCoreApplication, QDate, QDateTime, QLocale, Qt, QVariant
from qgis.PyQt.QtGui import QColor

from ..core.compat import geometries_from_wkb, geometry_bounds
from ..core.timeutil import parse_iso
from ..core.wkb import as_multi_wkb, wkb_bounds, wkb_type_code
from .bulk_io import (
    NotColumnar,
    gpkg_append,
    gpkg_layer_info,
    gpkg_point_blobs,
    gpkg_polygon_blobs,
    gpkg_wkb_blobs,
    read_ogr_points,
)
from .pg_bulk import read_pg_points
from .pg_source import pg_table, postgres_input_problem

LOG_TAG = "IOC"
DEFAULT_ANALYSIS_CRS = "EPSG:5899"  # VN-2000 / TM-3 107°45′ (Đồng Nai, Lâm Đồng, Đà Nẵng); a parameter, not a rule

# Vietnamese display texts used when no compiled translation (.qm) is installed; keys are the English sources.
VI = {
    "Incident analytics": "Phân tích sự vụ",
    "Hot spot analysis (Getis-Ord Gi*)": "Phân tích điểm nóng (Getis-Ord Gi*)",
    "Optimized hot spot analysis": "Phân tích điểm nóng tối ưu",
    "Kernel density (heatmap)": "Mật độ nhân (bản đồ nhiệt)",
    "Emerging hot spot analysis": "Phân tích xu hướng điểm nóng",
    "Density-based clusters (DBSCAN / HDBSCAN)": "Cụm theo mật độ (DBSCAN / HDBSCAN)",
    "Camera coverage gaps": "Vùng nóng chưa có camera",
    "Deadline performance by ward and category": "Tỷ lệ xử lý đúng hạn theo phường và lĩnh vực",
}


def tr(text: str) -> str:
    """Translate through Qt (context "IocAlgorithms"); fall back to the built-in Vietnamese for a vi locale."""
    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    translated = QCoreApplication.translate("@default", text)
    if translated == text and is_vietnamese() and text in VI:
        return VI[text]
    return translated


def is_vietnamese() -> bool:
    """QGIS user locale (the override in settings, else the system's) is Vietnamese."""
    settings = QgsSettings()
    locale = ""
    if settings.value("locale/overrideFlag", False, type=bool):
        locale = str(settings.value("locale/userLocale", "") or "")
    return (locale or QLocale().name()).lower().startswith("vi")


def bilingual(en: str) -> str:
    """ "English — Tiếng Việt" for help texts read by both audiences."""
    vi = VI.get(en)
    return f"{en} — {vi}" if vi else en


class IocAlgorithm(QgsProcessingAlgorithm):
    """Base of every IOC algorithm (not registered itself)."""

    abstract = True

    def group(self) -> str:
        return tr("Incident analytics")

    def groupId(self) -> str:
        return "incident_analytics"

    def createInstance(self) -> QgsProcessingAlgorithm:
        return type(self)()

    def checkParameterValues(self, parameters: dict, context: QgsProcessingContext) -> tuple[bool, str]:  # noqa: N802
        """QGIS's check, with the reason when a `postgres://` input could not be loaded: QGIS says only "not
        found" (its provider logs why where qgis_process does not print it); PostgreSQL says which it is."""
        ok, message = super().checkParameterValues(parameters, context)
        if ok:
            return ok, message
        for definition in self.parameterDefinitions():
            if definition.type() not in ("source", "vector"):
                continue
            problem = postgres_input_problem(parameters.get(definition.name()))
            if problem:  # the input text is not repeated: it could hold a password
                return False, tr("Could not read the PostgreSQL input {}: {}").format(definition.name(), problem)
        return ok, message

    def sink(self, parameters: dict, name: str, context, fields, wkb_type, crs=None):  # noqa: ANN001 - QGIS types
        """parameterAsSink that stops with QGIS's own message when the output cannot be created."""
        sink, dest_id = self.parameterAsSink(
            parameters, name, context, fields, wkb_type, crs if crs is not None else QgsCoordinateReferenceSystem()
        )
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, name))
        return sink, dest_id

    def tr(self, text: str) -> str:  # noqa: D401 - Qt naming
        return tr(text)


def log(feedback: Optional[QgsProcessingFeedback], text: str) -> None:
    if feedback is not None:
        feedback.pushInfo(text)
    QgsMessageLog.logMessage(text, LOG_TAG, Qgis.Info)


def log_read(feedback: Optional[QgsProcessingFeedback], layer: QgsVectorLayer, n: int) -> None:
    """Say in the run's log how the input was read: what explains its speed (and shows the bulk path ran)."""
    if layer.providerType() == "postgres":
        log(feedback, tr("{} features read column-wise from PostGIS.").format(n))
    else:
        log(feedback, tr("{} features read column-wise from the file.").format(n))


def log_feature_by_feature(feedback: Optional[QgsProcessingFeedback], reason: NotColumnar) -> None:
    log(feedback, tr("Input read feature by feature: {}.").format(reason))


def check_cancel(feedback: Optional[QgsProcessingFeedback]) -> None:
    if feedback is not None and feedback.isCanceled():
        raise QgsProcessingException(tr("Canceled"))


def analysis_crs(
    source: QgsFeatureSource,
    requested: Optional[QgsCoordinateReferenceSystem],
    feedback: Optional[QgsProcessingFeedback] = None,
) -> QgsCoordinateReferenceSystem:
    """Projected source CRS as is; a geographic or Mercator one is reprojected to `requested` (projected).

    Web Mercator (EPSG:3857) and other Mercator CRSs are in metres only at the equator: at 11° N distances come out
    1.9 % too long, so bands, radii and cells would silently differ from what the user typed.
    """
    src = source.sourceCrs()
    if src.isValid() and not src.isGeographic() and not is_mercator(src):
        return src
    crs = (
        requested
        if requested is not None and requested.isValid()
        else QgsCoordinateReferenceSystem(DEFAULT_ANALYSIS_CRS)
    )
    if crs.isGeographic() or is_mercator(crs):
        raise QgsProcessingException(
            tr("The analysis CRS {} is not a projected CRS with true metres; choose one (e.g. VN-2000 / TM-3).").format(
                crs.authid()
            )
        )
    if src.isValid() and is_mercator(src) and feedback is not None:
        feedback.pushWarning(
            tr("{} (Mercator) does not measure true metres here; the input is reprojected to {}.").format(
                src.authid() or src.description(), crs.authid()
            )
        )
    return crs


def is_mercator(crs: QgsCoordinateReferenceSystem) -> bool:
    return "+proj=merc" in crs.toProj().replace("  ", " ")


def analysis_crs_parameter(name: str = "ANALYSIS_CRS") -> QgsProcessingParameterCrs:
    # Optional on purpose: QGIS 3.22 rejects a missing non-optional CRS even when it has a default value.
    return QgsProcessingParameterCrs(
        name, tr("Analysis CRS (used when the input is geographic)"), DEFAULT_ANALYSIS_CRS, optional=True
    )


@dataclass
class FeatureArrays:
    """Features of a layer as arrays in the analysis CRS; geometries kept only when asked for."""

    xy: np.ndarray
    _fids: np.ndarray
    attrs: dict[str, np.ndarray] = field(default_factory=dict)
    geometries: list[QgsGeometry] = field(default_factory=list)
    skipped: int = 0  # null, empty or unusable geometries
    # key values QGIS still has to turn into its own feature ids (PostGIS int8 keys), done when `fids` is first
    # used: asking QGIS costs a pass over the layer, which algorithms that never output ids are spared
    fid_lookup: Optional[Callable[[np.ndarray], np.ndarray]] = field(default=None, repr=False)

    @property
    def fids(self) -> np.ndarray:
        if self.fid_lookup is not None:
            self._fids, self.fid_lookup = self.fid_lookup(self._fids), None
        return self._fids


def _is_null(v: object) -> bool:
    return v is None or (isinstance(v, QVariant) and v.isNull())


def to_epoch(v: object) -> float:
    """QDateTime / QDate / ISO text / datetime → epoch seconds (NaN when missing or unreadable)."""
    if _is_null(v):
        return np.nan
    if isinstance(v, QDateTime):
        return v.toMSecsSinceEpoch() / 1000.0 if v.isValid() else np.nan
    if isinstance(v, QDate):
        return QDateTime(v).toMSecsSinceEpoch() / 1000.0 if v.isValid() else np.nan
    try:
        dt = v if isinstance(v, datetime) else parse_iso(str(v))
    except ValueError:
        return np.nan
    return dt.timestamp() if dt else np.nan


def read_features(
    source: QgsFeatureSource,
    context: QgsProcessingContext,
    feedback: Optional[QgsProcessingFeedback],
    crs: QgsCoordinateReferenceSystem,
    numeric: Sequence[str] = (),
    text: Sequence[str] = (),
    times: Sequence[str] = (),
    keep_geometry: bool = False,
    progress: tuple[float, float] = (0.0, 30.0),
    layer: Optional[QgsVectorLayer] = None,
    need_geometry: bool = True,
) -> FeatureArrays:
    """One pass over the source: point (polygon → centroid) coordinates plus the requested fields as arrays.

    With `layer` (see columnar_layer) point layers of OGR files are read column-wise through GDAL's Arrow stream,
    PostGIS tables through one server-side cursor (pg_bulk); anything else is iterated feature by feature.
    Without `need_geometry`, features without a geometry are kept (NaN coordinates) and only counted in `skipped`.
    """
    if layer is not None and not keep_geometry:
        try:
            data = _read_columnar(layer, feedback, crs, numeric, text, times, progress, need_geometry, source)
        except NotColumnar as exc:
            log_feature_by_feature(feedback, exc)
        except InterruptedError as exc:
            raise QgsProcessingException(tr("Canceled")) from exc
        else:
            log_read(feedback, layer, len(data.fids))
            return data
    wanted = [f for f in (*numeric, *text, *times) if f]
    request = QgsFeatureRequest().setDestinationCrs(crs, context.transformContext())
    if wanted:
        request.setSubsetOfAttributes(wanted, source.fields())
    else:
        request.setSubsetOfAttributes([])
    total = max(source.featureCount(), 1)
    xs: list[float] = []
    ys: list[float] = []
    fids: list[int] = []
    cols: dict[str, list] = {name: [] for name in wanted}
    geoms: list[QgsGeometry] = []
    skipped = 0
    lo, hi = progress
    for i, f in enumerate(source.getFeatures(request)):
        if i % 1000 == 0:
            check_cancel(feedback)
            if feedback is not None:
                feedback.setProgress(lo + (hi - lo) * i / total)
        if not need_geometry:  # kept; a missing geometry is only counted
            skipped += 0 if f.hasGeometry() and not f.geometry().isEmpty() else 1
            xs.append(np.nan)
            ys.append(np.nan)
            fids.append(f.id())
            for name in wanted:
                cols[name].append(f[name])
            continue
        g = f.geometry()
        if g is None or g.isNull() or g.isEmpty():
            skipped += 1
            continue
        if QgsWkbTypes.geometryType(g.wkbType()) == QgsWkbTypes.PointGeometry and not g.isMultipart():
            p = g.asPoint()
        else:
            c = g.centroid()
            if c.isNull() or c.isEmpty():
                c = g.pointOnSurface()
            if c.isNull() or c.isEmpty():
                skipped += 1
                continue
            p = c.asPoint()
        x, y = p.x(), p.y()
        if not (np.isfinite(x) and np.isfinite(y)):
            skipped += 1
            continue
        xs.append(x)
        ys.append(y)
        fids.append(f.id())
        for name in wanted:
            cols[name].append(f[name])
        if keep_geometry:
            geoms.append(QgsGeometry(g))
    attrs: dict[str, np.ndarray] = {}
    for name in numeric:
        if name:
            attrs[name] = np.array([np.nan if _is_null(v) else _float(v) for v in cols[name]], dtype=np.float64)
    for name in text:
        if name:
            attrs[name] = np.array(["" if _is_null(v) else str(v) for v in cols[name]], dtype=object)
    for name in times:
        if name:
            attrs[name] = np.array([to_epoch(v) for v in cols[name]], dtype=np.float64)
    xy = (
        np.column_stack([np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)])
        if xs
        else np.zeros((0, 2))
    )
    return FeatureArrays(xy, np.asarray(fids, dtype=np.int64), attrs, geoms, skipped)


def columnar_layer(
    alg: QgsProcessingAlgorithm, parameters: dict, name: str, context: QgsProcessingContext
) -> Optional[QgsVectorLayer]:
    """The input layer when it can be read straight from its file or database (OGR provider without a subset, or
    PostGIS with its subset string as the WHERE clause; no selection/limit, no unsaved edits)."""
    value = parameters.get(name)
    if isinstance(value, QgsProcessingFeatureSourceDefinition):
        if value.selectedFeaturesOnly or getattr(value, "featureLimit", -1) != -1:
            return None
        if getattr(value, "filterExpression", ""):
            return None
    layer = alg.parameterAsVectorLayer(parameters, name, context)
    if layer is None or layer.providerType() not in ("ogr", "postgres"):
        return None
    if layer.providerType() == "ogr" and layer.subsetString():  # OGR's SQL dialects differ: QGIS applies it
        return None
    if layer.isEditable() and layer.isModified():  # unsaved edits live in QGIS, not in the file
        return None
    return layer


def _read_columnar(
    layer: QgsVectorLayer,
    feedback: Optional[QgsProcessingFeedback],
    crs: QgsCoordinateReferenceSystem,
    numeric: Sequence[str],
    text: Sequence[str],
    times: Sequence[str],
    progress: tuple[float, float],
    need_geometry: bool,
    source: Optional[QgsFeatureSource] = None,
) -> FeatureArrays:
    lo, hi = progress

    def cancelled(fraction: float) -> bool:
        if feedback is not None:
            feedback.setProgress(lo + (hi - lo) * fraction)
            return feedback.isCanceled()
        return False

    fields = ([f for f in numeric if f], [f for f in text if f], [f for f in times if f])
    if layer.providerType() == "postgres":
        cols = read_pg_points(
            pg_table(layer), *fields, parse_time=to_epoch, cancelled=cancelled, need_points=need_geometry,
            total=(source if source is not None else layer).featureCount(),  # thread-safe copy
        )  # fmt: skip
    else:
        parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
        path = parts.get("path") or ""
        if not path or parts.get("subset"):
            raise NotColumnar("not a plain OGR file")
        cols = read_ogr_points(
            path, parts.get("layerName") or None, *fields, parse_time=to_epoch, cancelled=cancelled,
            need_points=need_geometry,
        )  # fmt: skip
    x, y, fids, attrs, skipped = cols.x, cols.y, cols.fids, cols.attrs, cols.null_geometry
    if not need_geometry:  # as the feature path: locations are not read, only counted
        x, y = np.full(len(x), np.nan), np.full(len(y), np.nan)
    if need_geometry and len(x) and layer.crs() != crs:
        x, y = transform_arrays(x, y, layer.crs(), crs)
        good = np.isfinite(x) & np.isfinite(y)  # outside the target CRS's area of use
        if not good.all():
            x, y, fids = x[good], y[good], fids[good]
            attrs = {k: v[good] for k, v in attrs.items()}
            skipped += int((~good).sum())
    xy = np.column_stack([x, y]) if len(x) else np.zeros((0, 2))
    lookup = fid_lookup(source if source is not None else layer, cols.key) if cols.key else None
    return FeatureArrays(xy, fids, attrs, [], skipped, lookup)


def fid_lookup(source: QgsFeatureSource, key: str) -> Callable[[np.ndarray], np.ndarray]:
    """Key values → QGIS's feature ids for them, from one pass over the source reading only the key (no geometry).

    QGIS 3.22 numbers the features of a PostGIS layer with an int8 key itself, in the order it first meets them,
    so the ids an output names must come from QGIS to mean what $id means in the open layer.
    """

    def lookup(keys: np.ndarray) -> np.ndarray:
        index = source.fields().indexOf(key)
        request = QgsFeatureRequest().setFlags(QgsFeatureRequest.NoGeometry).setSubsetOfAttributes([index])
        values: list[int] = []
        numbers: list[int] = []
        if index >= 0:
            features, f = source.getFeatures(request), QgsFeature()
            while features.nextFeature(f):  # one QgsFeature refilled: half the cost of a new one per row
                values.append(f.attribute(index))
                numbers.append(f.id())
        known = np.asarray(values, dtype=np.int64)
        ids = np.asarray(numbers, dtype=np.int64)
        if len(keys) == 0:
            return ids[:0]
        if len(known) == 0:
            raise QgsProcessingException(tr("The table changed while it was read; run the algorithm again."))
        sort = np.argsort(known, kind="stable")
        found = sort[np.minimum(np.searchsorted(known, keys, sorter=sort), len(known) - 1)]
        if not np.array_equal(known[found], keys):  # a row deleted in between
            raise QgsProcessingException(tr("The table changed while it was read; run the algorithm again."))
        return ids[found]

    return lookup


def transform_arrays(
    x: np.ndarray, y: np.ndarray, src: QgsCoordinateReferenceSystem, dst: QgsCoordinateReferenceSystem
) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates from `src` to `dst` in one PROJ call (GDAL/OSR on QGIS's own PROJ definitions of both CRSs).

    QGIS's definitions carry the datum shift (e.g. VN-2000's +towgs84), so the result equals QGIS's transform;
    a sample is checked against QgsCoordinateTransform and anything off by more than a millimetre stops here.
    """
    from osgeo import osr

    def srs(c: QgsCoordinateReferenceSystem) -> osr.SpatialReference:
        out = osr.SpatialReference()
        if out.ImportFromProj4(c.toProj()) != 0:
            raise NotColumnar(f"no PROJ definition for {c.authid()}")
        out.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        return out

    ct = osr.CoordinateTransformation(srs(src), srs(dst))
    out = np.asarray(ct.TransformPoints(np.column_stack([x, y])), dtype=np.float64).reshape(-1, 3)
    qct = QgsCoordinateTransform(src, dst, QgsProject.instance())
    for i in np.linspace(0, len(x) - 1, min(len(x), 8)).astype(int):
        p = qct.transform(QgsPointXY(float(x[i]), float(y[i])))
        if abs(p.x() - out[i, 0]) > 1e-3 or abs(p.y() - out[i, 1]) > 1e-3:
            raise NotColumnar("PROJ and QGIS disagree on the transformation")
    return out[:, 0], out[:, 1]


def _float(v: object) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return np.nan


def require_features(data: FeatureArrays, minimum: int = 1, what: str = "features") -> None:
    if len(data.xy) < minimum:
        raise QgsProcessingException(
            tr("The input has {} usable {} (with geometry); at least {} needed.").format(len(data.xy), what, minimum)
            + (
                " " + tr("{} features without a usable geometry were skipped.").format(data.skipped)
                if data.skipped
                else ""
            )
        )


def warn_skipped(feedback: Optional[QgsProcessingFeedback], data: FeatureArrays) -> None:
    """Say how many input features had no usable geometry (they are left out, never silently)."""
    if data.skipped and feedback is not None:
        feedback.pushWarning(tr("{} features without a usable geometry were left out.").format(data.skipped))


def skipped_text(data: FeatureArrays) -> str:
    return (" " + tr("Skipped features without geometry: {}.").format(data.skipped)) if data.skipped else ""


def make_fields(spec: Iterable[tuple[str, QVariant.Type]]) -> QgsFields:
    fields = QgsFields()
    for name, kind in spec:
        fields.append(QgsField(name, kind))
    return fields


def polygon_geometry(ring: np.ndarray) -> QgsGeometry:
    """(v, 2) open ring → polygon geometry."""
    xs = [float(v) for v in ring[:, 0]] + [float(ring[0, 0])]
    ys = [float(v) for v in ring[:, 1]] + [float(ring[0, 1])]
    return QgsGeometry(QgsPolygon(QgsLineString(xs, ys)))


def point_geometry(x: float, y: float) -> QgsGeometry:
    return QgsGeometry(QgsPoint(float(x), float(y)))


def new_feature(fields: QgsFields, geometry: Optional[QgsGeometry], values: list) -> QgsFeature:
    f = QgsFeature(fields)
    if geometry is not None:
        f.setGeometry(geometry)
    f.setAttributes(values)
    return f


def sql_values(column: Sequence) -> list:
    """A column as plain Python values for SQL or QgsFeature: numpy scalars unwrapped, NaN/inf → None (NULL)."""
    arr = np.asarray(column)
    if arr.dtype.kind == "f":
        out = arr.astype(object)
        out[~np.isfinite(arr)] = None
        return out.tolist()
    if arr.dtype.kind in "iub":
        return arr.tolist()
    return [py(v) for v in arr.tolist()]


def gpkg_destination(dest_id: str) -> Optional[tuple[str, str]]:
    """(file, table) when a sink destination is a GeoPackage table that exists and is still empty."""
    if not isinstance(dest_id, str) or ".gpkg" not in dest_id.lower():
        return None
    parts = QgsProviderRegistry.instance().decodeUri("ogr", dest_id)
    path = parts.get("path") or ""
    if not path.lower().endswith(".gpkg"):
        return None
    table = parts.get("layerName") or ""
    try:
        import sqlite3

        con = sqlite3.connect(path)
        try:
            tables = [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")]
        finally:
            con.close()
        if not table:
            if len(tables) != 1:
                return None
            table = tables[0]
        if table not in tables or gpkg_layer_info(path, table)[3] != 0:
            return None
    except Exception:  # noqa: BLE001 - anything odd: the ordinary feature path writes it
        return None
    return path, table


BULK_GPKG_OUTPUT = True  # False: every output goes through QGIS's own sink (the reference the tests compare with)
LARGE_OUTPUT = 250_000  # rows; beyond this a GeoPackage output skips the R-tree (17 s per million rows here)


def write_features(
    alg: IocAlgorithm,
    parameters: dict,
    name: str,
    context: QgsProcessingContext,
    feedback: Optional[QgsProcessingFeedback],
    spec: Sequence[tuple[str, QVariant.Type]],
    values: Sequence[Sequence],
    wkb_type: int,
    crs: Optional[QgsCoordinateReferenceSystem] = None,
    points: Optional[np.ndarray] = None,
    rings: Optional[np.ndarray] = None,
    geometries: Optional[Sequence[QgsGeometry]] = None,
    progress: tuple[float, float] = (70.0, 100.0),
    wkb: Optional[Sequence[Optional[bytes]]] = None,
) -> str:
    """Write a whole output at once: columns `values` (one sequence per field of `spec`) and the geometry as
    (n, 2) `points`, (n, v, 2) open polygon `rings`, `wkb` (ISO WKB per row, None for no geometry) or ready
    `geometries` (or none).

    A GeoPackage destination gets one SQL insert of prebuilt geometry blobs after QGIS has created the table (so
    the layer is registered, named and loaded as usual); other destinations get addFeatures in large batches.
    WKB is first made to fit the output type (single → multi, Z/M dropped or added) the way QGIS's writer would,
    so both paths write the same geometry.
    """
    fields = make_fields(spec)
    sink, dest_id = alg.sink(parameters, name, context, fields, wkb_type, crs)
    if wkb is not None:
        wkb = fit_wkb(wkb, wkb_type)
    geometry_rows = points if points is not None else rings if rings is not None else wkb
    n = len(values[0]) if values else len(geometry_rows if geometry_rows is not None else [])
    columns = [sql_values(v) for v in values]
    lo, hi = progress

    def cancelled(fraction: float) -> bool:
        if feedback is None:
            return False
        feedback.setProgress(lo + (hi - lo) * fraction)
        return feedback.isCanceled()

    target = None
    out_fields, slots = fields, None
    if BULK_GPKG_OUTPUT and geometries is None and isinstance(dest_id, str) and ".gpkg" in dest_id.lower():
        del sink  # closes QGIS's writer: the table exists now, empty, with its R-tree and triggers
        target = gpkg_destination(dest_id)
        if target is None:  # not a plain GeoPackage table after all: write through the OGR provider
            layer = QgsVectorLayer(dest_id, "output", "ogr")
            if not layer.isValid():
                raise QgsProcessingException(tr("Could not open the output {}").format(dest_id))
            sink = layer.dataProvider()
            # the file's own fields (a GeoPackage's fid first): values go to their fields by name
            out_fields = sink.fields()
            slots = [out_fields.indexOf(field_name) for field_name in fields.names()]
    if target is not None:
        path, table = target
        geom_col, srs_id, geom_type, _ = gpkg_layer_info(path, table)
        blobs = bounds = None
        if geom_col and points is not None:
            blobs = gpkg_point_blobs(points[:, 0], points[:, 1], srs_id)
            bounds = (points[:, 0], points[:, 0], points[:, 1], points[:, 1])
        elif geom_col and rings is not None:
            blobs = gpkg_polygon_blobs(rings, srs_id, multi=geom_type.startswith("MULTI"))
            bounds = (rings[:, :, 0].min(1), rings[:, :, 0].max(1), rings[:, :, 1].min(1), rings[:, :, 1].max(1))
        elif geom_col and wkb is not None:
            box = wkb_envelopes(wkb)
            blobs = gpkg_wkb_blobs(wkb, box, srs_id)
            bounds = (box[:, 0], box[:, 2], box[:, 1], box[:, 3])
        index = n < LARGE_OUTPUT
        if not index:
            log(feedback, tr("{} features: written without a spatial index (create one later if needed).").format(n))
        try:
            gpkg_append(
                path, table, dict(zip(fields.names(), columns)), blobs, bounds, cancelled=cancelled, spatial_index=index
            )
        except InterruptedError as exc:
            raise QgsProcessingException(tr("Canceled")) from exc
        return dest_id

    def add(features: list[QgsFeature]) -> None:
        if not sink.addFeatures(features, QgsFeatureSink.FastInsert):
            error = sink.lastError() if hasattr(sink, "lastError") else ""
            raise QgsProcessingException(tr("Could not write to the output {}: {}").format(dest_id, error))

    batch: list[QgsFeature] = []
    rows = zip(*columns) if columns else ([] for _ in range(n))
    for i, row in enumerate(rows):
        f = QgsFeature(out_fields)
        if points is not None:
            f.setGeometry(QgsGeometry(QgsPoint(float(points[i, 0]), float(points[i, 1]))))
        elif rings is not None:
            f.setGeometry(polygon_geometry(rings[i]))
        elif geometries is not None:
            f.setGeometry(geometries[i])
        elif wkb is not None and wkb[i] is not None:
            g = QgsGeometry()
            g.fromWkb(wkb[i])
            f.setGeometry(g)
        if slots is None:
            f.setAttributes(list(row))
        else:
            attrs: list = [None] * out_fields.count()
            for k, v in zip(slots, row):
                attrs[k] = v
            f.setAttributes(attrs)
        batch.append(f)
        if len(batch) >= 50_000:
            add(batch)
            batch = []
            if cancelled(i / max(n, 1)):
                raise QgsProcessingException(tr("Canceled"))
    if batch:
        add(batch)
    return dest_id


def rows_to_columns(rows: Sequence[Sequence], width: int) -> list[list]:
    """Row-wise values as `width` columns for write_features (empty columns when there are no rows)."""
    return [list(col) for col in zip(*rows)] if rows else [[] for _ in range(width)]


def fit_wkb(blobs: Sequence[Optional[bytes]], out_type: int) -> list[Optional[bytes]]:
    """WKB made to fit an output of `out_type`: single parts wrapped as multi, Z/M dropped or added (0)."""
    multi = QgsWkbTypes.isMultiType(out_type)
    want_z, want_m = QgsWkbTypes.hasZ(out_type), QgsWkbTypes.hasM(out_type)
    out: list[Optional[bytes]] = []
    for w in blobs:
        if w is None:
            out.append(None)
            continue
        w = bytes(w)
        if w[0] == 1 and wkb_type_code(w) in (1, 2, 3, 4, 5, 6) and not want_z and not want_m:  # plain 2D, the usual
            out.append(as_multi_wkb(w) if multi else w)
            continue
        g = QgsGeometry()
        g.fromWkb(w)
        if multi:
            g.convertToMultiType()
        part = g.get()
        if part is not None:
            if not want_z:
                part.dropZValue()
            elif not part.is3D():
                part.addZValue(0)
            if not want_m:
                part.dropMValue()
            elif not part.isMeasure():
                part.addMValue(0)
        out.append(bytes(g.asWkb()) if not g.isNull() else None)
    return out


def wkb_envelopes(blobs: Sequence[Optional[bytes]]) -> np.ndarray:
    """(n, 4) minx, miny, maxx, maxy of WKB geometries (NaN for None or empty): read from the bytes, through
    shapely for what that cannot read."""
    out, unread = wkb_bounds(blobs)
    if unread.any():
        rows = np.flatnonzero(unread)
        out[rows] = geometry_bounds(geometries_from_wkb([blobs[i] for i in rows]))
    return out


def py(v: object) -> object:
    """numpy scalar → plain Python for QgsFeature.setAttributes."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not np.isfinite(v):
        return None
    return v


# ----- styles ---------------------------------------------------------------------------------------------------
NO_FILL = "none"  # a class drawn without fill or outline (listed in the legend, not painted over the city)
GI_BIN_COLOURS = {
    -3: ("#4575b4", "Cold spot 99%", "Điểm lạnh 99%"),
    -2: ("#91bfdb", "Cold spot 95%", "Điểm lạnh 95%"),
    -1: ("#e0f3f8", "Cold spot 90%", "Điểm lạnh 90%"),
    0: (NO_FILL, "Not significant", "Không có ý nghĩa"),  # no fill: the map underneath stays readable
    1: ("#fee090", "Hot spot 90%", "Điểm nóng 90%"),
    2: ("#fc8d59", "Hot spot 95%", "Điểm nóng 95%"),
    3: ("#d73027", "Hot spot 99%", "Điểm nóng 99%"),
}


def categorized_renderer(
    field_name: str, geometry_type: int, classes: dict, lang_vi: Optional[bool] = None
) -> QgsCategorizedSymbolRenderer:
    """classes: value -> (colour, English label, Vietnamese label)."""
    vi = is_vietnamese() if lang_vi is None else lang_vi
    categories = []
    for value, (colour, en, vi_label) in classes.items():
        symbol = QgsSymbol.defaultSymbol(geometry_type)
        if colour == NO_FILL:
            symbol.setColor(QColor(0, 0, 0, 0))
            for k in range(symbol.symbolLayerCount()):
                layer = symbol.symbolLayer(k)
                if hasattr(layer, "setStrokeStyle"):
                    layer.setStrokeStyle(Qt.NoPen)
        else:
            symbol.setColor(QColor(colour))
        categories.append(QgsRendererCategory(value, symbol, vi_label if vi else en))
    return QgsCategorizedSymbolRenderer(field_name, categories)


class RendererPostProcessor(QgsProcessingLayerPostProcessorInterface):
    """Applies a categorized renderer to an output layer when Processing loads it into the project."""

    def __init__(self, field_name: str, classes: dict) -> None:
        super().__init__()
        self.field_name = field_name
        self.classes = classes

    def postProcessLayer(self, layer, context, feedback) -> None:  # noqa: ANN001 - QGIS signature
        if layer is None or not hasattr(layer, "geometryType"):
            return
        layer.setRenderer(categorized_renderer(self.field_name, layer.geometryType(), self.classes))
        layer.triggerRepaint()


_KEEP_ALIVE: list[QgsProcessingLayerPostProcessorInterface] = []  # QGIS does not own Python post-processors


def style_output(context: QgsProcessingContext, dest_id: str, field_name: str, classes: dict) -> None:
    if dest_id and context.willLoadLayerOnCompletion(dest_id):
        post = RendererPostProcessor(field_name, classes)
        _KEEP_ALIVE[:] = _KEEP_ALIVE[-50:] + [post]
        context.layerToLoadOnCompletionDetails(dest_id).setPostProcessor(post)


class PseudoColorPostProcessor(QgsProcessingLayerPostProcessorInterface):
    """Colours a single-band raster output with a colour ramp (min–max of the band) when it is loaded."""

    def __init__(self, ramp_name: str = "YlOrRd") -> None:
        super().__init__()
        self.ramp_name = ramp_name

    def postProcessLayer(self, layer, context, feedback) -> None:  # noqa: ANN001 - QGIS signature
        from qgis.core import (
            QgsColorRampShader,
            QgsRasterBandStats,
            QgsRasterShader,
            QgsSingleBandPseudoColorRenderer,
            QgsStyle,
        )

        if layer is None or not hasattr(layer, "dataProvider") or layer.bandCount() < 1:
            return
        stats = layer.dataProvider().bandStatistics(1, QgsRasterBandStats.Min | QgsRasterBandStats.Max)
        ramp = QgsStyle.defaultStyle().colorRamp(self.ramp_name) or QgsStyle.defaultStyle().colorRamp("Reds")
        shader_fn = QgsColorRampShader(stats.minimumValue, stats.maximumValue, ramp)
        shader_fn.classifyColorRamp(8, -1)
        # the lowest values (the thin fringe of every kernel) fade out instead of tinting the whole city;
        # pixels no kernel reaches are nodata and stay transparent
        items = shader_fn.colorRampItemList()
        if items:
            first = items[0]
            first.color = QColor(first.color.red(), first.color.green(), first.color.blue(), 0)
            items[0] = first
            shader_fn.setColorRampItemList(items)
        shader = QgsRasterShader()
        shader.setRasterShaderFunction(shader_fn)
        layer.setRenderer(QgsSingleBandPseudoColorRenderer(layer.dataProvider(), 1, shader))
        layer.triggerRepaint()


def style_raster_output(context: QgsProcessingContext, dest_id: str, ramp_name: str = "YlOrRd") -> None:
    if dest_id and context.willLoadLayerOnCompletion(dest_id):
        post = PseudoColorPostProcessor(ramp_name)
        _KEEP_ALIVE[:] = _KEEP_ALIVE[-50:] + [post]
        context.layerToLoadOnCompletionDetails(dest_id).setPostProcessor(post)


def write_geotiff(path: str, values, geotransform, crs: QgsCoordinateReferenceSystem, nodata: float) -> None:
    """Float32 single-band GeoTIFF (LZW), north-up, top row first."""
    from osgeo import gdal

    rows, cols = values.shape
    driver = gdal.GetDriverByName("GTiff")
    # ZSTD level 1: several times faster than LZW at a similar size (nodata areas compress to nothing)
    zstd = "ZSTD" in (driver.GetMetadataItem("DMD_CREATIONOPTIONLIST") or "")
    options = ["COMPRESS=ZSTD", "ZSTD_LEVEL=1"] if zstd else ["COMPRESS=LZW"]
    options += ["PREDICTOR=3", "TILED=YES", "NUM_THREADS=ALL_CPUS"]
    ds = driver.Create(str(path), cols, rows, 1, gdal.GDT_Float32, options=options)
    if ds is None:
        raise QgsProcessingException(tr("Could not create the raster {}").format(path))
    ds.SetGeoTransform(tuple(float(v) for v in geotransform))
    ds.SetProjection(crs.toWkt())
    band = ds.GetRasterBand(1)
    band.SetNoDataValue(float(nodata))
    band.WriteArray(values.astype(np.float32))
    band.FlushCache()
    ds = None
