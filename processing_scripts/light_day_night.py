"""ioc:light_day_night — street lights lit in daytime or dark at night, with sunrise/sunset computed for the city."""

from __future__ import annotations

import numpy as np
from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputString,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterNumber,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from ioc_qgis_plugin.core.timeutil import epoch_array_to_iso
from ioc_qgis_plugin.lights.outages import DAY_NIGHT_LABELS, day_night_problems
from ioc_qgis_plugin.lights.solar import local_solar_day, sun_times
from ioc_qgis_plugin.processing.common import (
    check_cancel,
    columnar_layer,
    is_vietnamese,
    log,
    style_output,
    to_epoch,
    write_features,
)
from ioc_qgis_plugin.processing.lights_base import LightsAlgorithm, read_lights, tr, wgs84_centre

STYLE = {
    "lit_in_daytime": ("#fdb863", "Lit in daytime", "Sáng ban ngày"),
    "dark_at_night": ("#2c7bb6", "Dark at night", "Tắt/hỏng ban đêm"),
}


class LightDayNight(LightsAlgorithm):
    INPUT = "INPUT"
    MARGIN = "MARGIN_MINUTES"
    AT = "AT"
    LAT = "LAT"
    LON = "LON"
    OUTPUT = "OUTPUT"
    SUMMARY = "SUMMARY"

    def name(self) -> str:
        return "light_day_night"

    def displayName(self) -> str:
        return tr("Street lights on in daytime / off at night")

    def shortHelpString(self) -> str:
        return tr(
            "Flags street lights that are lit in daytime (wasted energy, broken photocell or schedule) or dark at "
            "night (off or failed). Sunrise and sunset are computed for the city with NOAA's solar equations "
            "(about one minute accuracy); times within the margin around sunrise/sunset are not judged.\n"
            "Each light is judged at its last report time, or at one given time for all.\n"
            "Input: the IOC street_lights layer (state, light_level, fault, last_report).\n"
            "Đèn sáng ban ngày hoặc tắt ban đêm, theo giờ mặt trời mọc/lặn tính cho thành phố."
        )

    def initAlgorithm(self, config=None) -> None:  # noqa: ANN001
        self.addParameter(
            QgsProcessingParameterFeatureSource(self.INPUT, tr("Street lights layer"), [QgsProcessing.TypeVectorPoint])
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.MARGIN,
                tr("Margin around sunrise/sunset (minutes)"),
                QgsProcessingParameterNumber.Double,
                30.0,
                minValue=0.0,
                maxValue=180.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterDateTime(self.AT, tr("Evaluate at (empty = each light's last report)"), optional=True)
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.LAT, tr("Latitude of the city (0 = layer centre)"), QgsProcessingParameterNumber.Double, 0.0
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.LON, tr("Longitude of the city (0 = layer centre)"), QgsProcessingParameterNumber.Double, 0.0
            )
        )
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Lights on in daytime / off at night")))
        self.addOutput(QgsProcessingOutputString(self.SUMMARY, tr("Summary")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: ANN001, ANN201
        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(tr("Invalid input layer"))
        crs = source.sourceCrs()
        data = read_lights(source, context, feedback, crs, layer=columnar_layer(self, parameters, self.INPUT, context))
        check_cancel(feedback)
        lat = self.parameterAsDouble(parameters, self.LAT, context)
        lon = self.parameterAsDouble(parameters, self.LON, context)
        if lat == 0 and lon == 0:
            lat, lon = wgs84_centre(data, crs)
        at_param = self.parameterAsDateTime(parameters, self.AT, context)
        n = len(data.xy)
        if parameters.get(self.AT) not in (None, "") and at_param.isValid():
            at = np.full(n, to_epoch(at_param))
        else:
            at = data.attrs.get("last_report", np.full(n, np.nan))
        margin = self.parameterAsDouble(parameters, self.MARGIN, context) * 60.0
        a = data.attrs
        problem = day_night_problems(a["state"], a["light_level"], a["fault"], at, lat, lon, margin)
        rise, sset = sun_times(local_solar_day(at, lon), lat, lon)
        feedback.setProgress(60)
        vi = is_vietnamese()
        spec = [
            ("light_id", QVariant.String),
            ("ward_id", QVariant.String),
            ("cabinet_id", QVariant.String),
            ("state", QVariant.String),
            ("light_level", QVariant.Double),
            ("judged_at", QVariant.String),
            ("sunrise", QVariant.String),
            ("sunset", QVariant.String),
            ("problem", QVariant.String),
            ("problem_label", QVariant.String),
        ]
        sel = np.flatnonzero(problem != "")
        at_iso, rise_iso, set_iso = (epoch_array_to_iso(v[sel]) for v in (at, rise, sset))
        labels = {k: v[0 if vi else 1] for k, v in DAY_NIGHT_LABELS.items()}
        kinds = problem[sel]
        columns = [a["light_id"][sel], a["ward_id"][sel], a["cabinet_id"][sel], a["state"][sel], a["light_level"][sel]]
        columns += [at_iso, rise_iso, set_iso, kinds, [labels[k] for k in kinds.tolist()]]
        dest = write_features(
            self,
            parameters,
            self.OUTPUT,
            context,
            feedback,
            spec,
            columns,
            QgsWkbTypes.Point,
            crs,
            points=data.xy[sel],
            progress=(60.0, 100.0),
        )
        feedback.setProgress(100)
        day = int(np.count_nonzero(problem == "lit_in_daytime"))
        night = int(np.count_nonzero(problem == "dark_at_night"))
        unknown = int(np.count_nonzero(np.isnan(at)))
        summary = (
            f"{day} lights lit in daytime, {night} dark at night (of {n}; sun computed at {lat:.4f}, {lon:.4f})"
            + (f"; {unknown} without a report time were not judged" if unknown else "")
        )
        log(feedback, summary)
        style_output(context, dest, "problem", STYLE)
        return {self.OUTPUT: dest, self.SUMMARY: summary}
