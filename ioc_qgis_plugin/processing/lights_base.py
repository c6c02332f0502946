"""Shared base of the street-light Processing scripts: group, Vietnamese fallback texts, reading the lights layer."""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeatureSource,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProject,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QCoreApplication

from ..lights.texts import VI
from .common import FeatureArrays, IocAlgorithm, is_vietnamese, read_features

LIGHT_TEXT = ("light_id", "state", "fault", "cabinet_id", "circuit_id", "ward_id")


def tr(text: str) -> str:
    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    translated = QCoreApplication.translate("@default", text)
    if translated == text and is_vietnamese() and text in VI:
        return VI[text]
    return translated


ltr = tr  # the former name, kept for code written against it


class LightsAlgorithm(IocAlgorithm):
    abstract = True

    def group(self) -> str:
        return tr("Street lights")

    def groupId(self) -> str:
        return "street_lights"

    def tr(self, text: str) -> str:
        return tr(text)


def require_fields(source: QgsFeatureSource, names: Sequence[str]) -> None:
    have = set(source.fields().names())
    for name in names:
        if name not in have:
            raise QgsProcessingException(
                tr("The layer has no field {}; expected the IOC street_lights schema.").format(name)
            )


def read_lights(
    source: QgsFeatureSource,
    context: QgsProcessingContext,
    feedback: Optional[QgsProcessingFeedback],
    crs: QgsCoordinateReferenceSystem,
    extra_text: Sequence[str] = (),
    layer: Optional[QgsVectorLayer] = None,
) -> FeatureArrays:
    """The lights' points and fields; `layer` (columnar_layer) lets an OGR file be read column-wise."""
    text = [f for f in (*LIGHT_TEXT, *extra_text) if f in source.fields().names()]
    require_fields(source, ("state", "light_level", "fault"))
    numeric = ["light_level"]
    times = ["last_report"] if "last_report" in source.fields().names() else []
    data = read_features(source, context, feedback, crs, numeric=numeric, text=text, times=times, layer=layer)
    for name in (*LIGHT_TEXT, *extra_text):
        data.attrs.setdefault(name, np.full(len(data.xy), "", dtype=object))
    return data


def wgs84_centre(data: FeatureArrays, crs: QgsCoordinateReferenceSystem) -> tuple[float, float]:
    """(lat, lon) of the data's centre — where sunrise and sunset are computed."""
    if not len(data.xy):
        raise QgsProcessingException(tr("The input has no usable features."))
    x, y = np.median(data.xy, axis=0)
    to_wgs84 = QgsCoordinateTransform(crs, QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance())
    p = to_wgs84.transform(float(x), float(y))
    return p.y(), p.x()
