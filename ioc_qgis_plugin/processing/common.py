"""Shared plumbing for the IOC Processing scripts: QGIS features ⇄ numpy, CRS choice, outputs, styles, texts.

Scripts stay thin: read the layer once into arrays here, call ioc_qgis_plugin.analytics, write the results back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Optional, Sequence

import numpy as np
from qgis.core import (
    Qgis,
    QgsCategorizedSymbolRenderer,
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSource,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsLineString,
    QgsMessageLog,
    QgsPoint,
    QgsPolygon,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingParameterCrs,
    QgsRendererCategory,
    QgsSettings,
    QgsSymbol,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QCoreApplication, QDate, QDateTime, QLocale, QVariant
from qgis.PyQt.QtGui import QColor

from ..core.timeutil import parse_iso

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


def check_cancel(feedback: Optional[QgsProcessingFeedback]) -> None:
    if feedback is not None and feedback.isCanceled():
        raise QgsProcessingException(tr("Canceled"))


def analysis_crs(
    source: QgsFeatureSource, requested: Optional[QgsCoordinateReferenceSystem]
) -> QgsCoordinateReferenceSystem:
    """Projected source CRS as is; a geographic one is reprojected to `requested` (which must be projected)."""
    src = source.sourceCrs()
    if src.isValid() and not src.isGeographic():
        return src
    crs = (
        requested
        if requested is not None and requested.isValid()
        else QgsCoordinateReferenceSystem(DEFAULT_ANALYSIS_CRS)
    )
    if crs.isGeographic():
        raise QgsProcessingException(
            tr("The analysis CRS {} is geographic; choose a projected CRS in metres (e.g. VN-2000 / TM-3).").format(
                crs.authid()
            )
        )
    return crs


def analysis_crs_parameter(name: str = "ANALYSIS_CRS") -> QgsProcessingParameterCrs:
    # Optional on purpose: QGIS 3.22 rejects a missing non-optional CRS even when it has a default value.
    return QgsProcessingParameterCrs(
        name, tr("Analysis CRS (used when the input is geographic)"), DEFAULT_ANALYSIS_CRS, optional=True
    )


@dataclass
class FeatureArrays:
    """Features of a layer as arrays in the analysis CRS; geometries kept only when asked for."""

    xy: np.ndarray
    fids: np.ndarray
    attrs: dict[str, np.ndarray] = field(default_factory=dict)
    geometries: list[QgsGeometry] = field(default_factory=list)
    skipped: int = 0  # null, empty or unusable geometries


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
) -> FeatureArrays:
    """One pass over the source: point (polygon → centroid) coordinates plus the requested fields as arrays."""
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


def py(v: object) -> object:
    """numpy scalar → plain Python for QgsFeature.setAttributes."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not np.isfinite(v):
        return None
    return v


# ----- styles ---------------------------------------------------------------------------------------------------
GI_BIN_COLOURS = {
    -3: ("#4575b4", "Cold spot 99%", "Điểm lạnh 99%"),
    -2: ("#91bfdb", "Cold spot 95%", "Điểm lạnh 95%"),
    -1: ("#e0f3f8", "Cold spot 90%", "Điểm lạnh 90%"),
    0: ("#f7f7f7", "Not significant", "Không có ý nghĩa"),
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

    def __init__(self, ramp_name: str = "Magma") -> None:
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
        ramp = QgsStyle.defaultStyle().colorRamp(self.ramp_name)
        shader_fn = QgsColorRampShader(stats.minimumValue, stats.maximumValue, ramp)
        shader_fn.classifyColorRamp(8, -1)
        shader = QgsRasterShader()
        shader.setRasterShaderFunction(shader_fn)
        layer.setRenderer(QgsSingleBandPseudoColorRenderer(layer.dataProvider(), 1, shader))
        layer.triggerRepaint()


def style_raster_output(context: QgsProcessingContext, dest_id: str, ramp_name: str = "Magma") -> None:
    if dest_id and context.willLoadLayerOnCompletion(dest_id):
        post = PseudoColorPostProcessor(ramp_name)
        _KEEP_ALIVE[:] = _KEEP_ALIVE[-50:] + [post]
        context.layerToLoadOnCompletionDetails(dest_id).setPostProcessor(post)


def write_geotiff(path: str, values, geotransform, crs: QgsCoordinateReferenceSystem, nodata: float) -> None:
    """Float32 single-band GeoTIFF (LZW), north-up, top row first."""
    from osgeo import gdal

    rows, cols = values.shape
    driver = gdal.GetDriverByName("GTiff")
    ds = driver.Create(str(path), cols, rows, 1, gdal.GDT_Float32, options=["COMPRESS=LZW", "TILED=YES"])
    if ds is None:
        raise QgsProcessingException(tr("Could not create the raster {}").format(path))
    ds.SetGeoTransform(tuple(float(v) for v in geotransform))
    ds.SetProjection(crs.toWkt())
    band = ds.GetRasterBand(1)
    band.SetNoDataValue(float(nodata))
    band.WriteArray(values.astype(np.float32))
    band.FlushCache()
    ds = None
