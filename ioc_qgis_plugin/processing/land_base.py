"""Shared parts of the land Processing scripts: group, QGIS polygon layer → shapely in metres."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeatureRequest,
    QgsFeatureSource,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProviderRegistry,
    QgsVectorLayer,
)

from ..core.compat import geometries_from_wkb, geometries_valid
from .bulk_io import NotColumnar, read_ogr_wkb
from .common import IocAlgorithm, analysis_crs, check_cancel, fid_lookup, log_feature_by_feature, log_read, tr
from .pg_bulk import read_pg_wkb
from .pg_source import pg_table


class LandAlgorithm(IocAlgorithm):
    abstract = True

    def group(self) -> str:
        return tr("Land and planning")

    def groupId(self) -> str:
        return "land_planning"


@dataclass
class Polygons:
    """Polygons of a layer as shapely geometries in the analysis CRS, with their FIDs and the named fields."""

    crs: QgsCoordinateReferenceSystem
    fids: list[int]
    geoms: list[Any]
    attrs: dict[str, list] = field(default_factory=dict)
    skipped: int = 0  # NULL or empty geometries, left out
    # the same geometries as WKB in the layer's own CRS when no reprojection was needed (an output can reuse them)
    wkb: Optional[list[bytes]] = None


def read_polygons(
    source: QgsFeatureSource,
    context: QgsProcessingContext,
    feedback: Optional[QgsProcessingFeedback],
    fields: Sequence[str] = (),
    layer: Optional[QgsVectorLayer] = None,
) -> Polygons:
    """One pass: polygons in a metric CRS as shapely (via WKB, no per-vertex Python) plus the named fields.

    With `layer` (see columnar_layer) a 2D polygon layer of an OGR file or PostGIS table already in the analysis
    CRS is read column-wise (GDAL's Arrow stream / one server-side cursor, geometries built from WKB in bulk);
    anything else — another provider, a reprojection, curves, Z/M, date fields — is read feature by feature.
    """
    crs = analysis_crs(source, None)
    names = tuple(f for f in fields if f)
    if layer is not None and layer.crs() == crs:
        try:
            data = _read_columnar(layer, feedback, crs, names, source)
            log_read(feedback, layer, len(data.fids))
            return _check_validity(data, context, feedback, source.sourceName())
        except NotColumnar as exc:
            log_feature_by_feature(feedback, exc)
        except InterruptedError as exc:
            raise QgsProcessingException(tr("Canceled")) from exc
    same_crs = source.sourceCrs() == crs
    request = QgsFeatureRequest().setDestinationCrs(crs, context.transformContext())
    fids, blobs, attrs = [], [], {f: [] for f in names}
    skipped = 0
    for i, f in enumerate(source.getFeatures(request)):
        if i % 2000 == 0:
            check_cancel(feedback)
        g = f.geometry()
        if g is None or g.isNull() or g.isEmpty():
            skipped += 1
            continue
        fids.append(f.id())
        blobs.append(bytes(g.asWkb()))
        for name in attrs:
            v = f[name]
            attrs[name].append(None if v is None or (hasattr(v, "isNull") and v.isNull()) else v)
    return Polygons(crs, fids, geometries_from_wkb(blobs), attrs, skipped, blobs if same_crs else None)


def _check_validity(
    data: Polygons, context: QgsProcessingContext, feedback: Optional[QgsProcessingFeedback], name: str
) -> Polygons:
    """Apply the Processing setting for invalid input geometries, as QGIS's own feature source would have."""
    check = context.invalidGeometryCheck()
    if check == QgsFeatureRequest.GeometryNoCheck or not data.geoms:
        return data
    valid = geometries_valid(data.geoms)
    if valid.all():
        return data
    bad = [data.fids[i] for i in np.flatnonzero(~valid)]
    if check == QgsFeatureRequest.GeometryAbortOnInvalid:
        raise QgsProcessingException(
            tr(
                "Feature ({}) from “{}” has invalid geometry. Please fix the geometry or change the Processing "
                "setting to the “Ignore invalid input features” option."
            ).format(bad[0], name)
        )
    if feedback is not None:
        for fid in bad:
            feedback.reportError(
                tr("Feature ({}) from “{}” has invalid geometry and has been skipped.").format(fid, name)
            )
    keep = np.flatnonzero(valid).tolist()
    return Polygons(
        data.crs,
        [data.fids[i] for i in keep],
        [data.geoms[i] for i in keep],
        {k: [v[i] for i in keep] for k, v in data.attrs.items()},
        data.skipped,
        [data.wkb[i] for i in keep] if data.wkb is not None else None,
    )


def _read_columnar(
    layer: QgsVectorLayer,
    feedback: Optional[QgsProcessingFeedback],
    crs: QgsCoordinateReferenceSystem,
    names: tuple[str, ...],
    source: Optional[QgsFeatureSource] = None,
) -> Polygons:
    def cancelled(fraction: float) -> bool:
        if feedback is None:
            return False
        feedback.setProgress(30.0 * fraction)
        return feedback.isCanceled()

    if layer.providerType() == "postgres":
        total = (source if source is not None else layer).featureCount()
        cols = read_pg_wkb(pg_table(layer), names, cancelled, total=total)
        if cols.key:  # QGIS numbers these features itself: its ids, for outputs that name parcels
            keys = np.asarray(cols.fids, dtype=np.int64)
            cols.fids = fid_lookup(source if source is not None else layer, cols.key)(keys).tolist()
    else:
        parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
        path = parts.get("path") or ""
        if not path or parts.get("subset"):
            raise NotColumnar("not a plain OGR file")
        cols = read_ogr_wkb(path, parts.get("layerName") or None, names, cancelled)
    present = [i for i, w in enumerate(cols.wkb) if w is not None]
    try:
        geoms = geometries_from_wkb([cols.wkb[i] for i in present])
    except Exception as exc:  # noqa: BLE001 - a geometry shapely cannot build: QGIS's path decides what to do
        raise NotColumnar(f"WKB shapely cannot read ({exc})") from exc
    keep = [k for k, g in enumerate(geoms) if not g.is_empty]
    rows = [present[k] for k in keep]
    return Polygons(
        crs,
        [cols.fids[i] for i in rows],
        [geoms[k] for k in keep],
        {name: [cols.attrs[name][i] for i in rows] for name in names},
        len(cols.wkb) - len(rows),
        [cols.wkb[i] for i in rows],
    )
