"""Shared parts of the land Processing scripts: group, QGIS polygon layer → shapely in metres."""

from __future__ import annotations

from typing import Optional

from qgis.core import QgsFeatureRequest, QgsFeatureSource, QgsProcessingContext, QgsProcessingFeedback
from shapely import wkb as shapely_wkb

from .common import IocAlgorithm, analysis_crs, check_cancel, tr


class LandAlgorithm(IocAlgorithm):
    abstract = True

    def group(self) -> str:
        return tr("Land and planning")

    def groupId(self) -> str:
        return "land_planning"


def read_polygons(
    source: QgsFeatureSource,
    context: QgsProcessingContext,
    feedback: Optional[QgsProcessingFeedback],
    fields: tuple[str, ...] = (),
):  # noqa: ANN201 - (crs, fids, geoms, attrs)
    """One pass: polygons in a metric CRS as shapely (via WKB, no per-vertex Python) plus the named fields."""
    crs = analysis_crs(source, None)
    request = QgsFeatureRequest().setDestinationCrs(crs, context.transformContext())
    fids, geoms, attrs = [], [], {f: [] for f in fields if f}
    for i, f in enumerate(source.getFeatures(request)):
        if i % 2000 == 0:
            check_cancel(feedback)
        g = f.geometry()
        if g is None or g.isNull() or g.isEmpty():
            continue
        fids.append(f.id())
        geoms.append(shapely_wkb.loads(bytes(g.asWkb())))
        for name in attrs:
            v = f[name]
            attrs[name].append(None if v is None or (hasattr(v, "isNull") and v.isNull()) else v)
    return crs, fids, geoms, attrs
