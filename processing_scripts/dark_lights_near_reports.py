"""ioc:dark_lights_near_reports — dark street lights within a distance of open security/traffic field reports."""

from __future__ import annotations

import numpy as np
from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDistance,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterString,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from ioc_qgis_plugin.lights.outages import dark_mask, dark_near_reports, open_report_mask
from ioc_qgis_plugin.processing.common import (
    analysis_crs,
    analysis_crs_parameter,
    check_cancel,
    columnar_layer,
    log,
    py,
    read_features,
    write_features,
)
from ioc_qgis_plugin.processing.lights_base import LightsAlgorithm, read_lights, tr


class DarkLightsNearReports(LightsAlgorithm):
    LIGHTS = "LIGHTS"
    REPORTS = "REPORTS"
    SERVICES = "SERVICES"
    DISTANCE = "DISTANCE"
    NIGHT = "NIGHT"
    ANALYSIS_CRS = "ANALYSIS_CRS"
    OUTPUT = "OUTPUT"
    SUMMARY = "SUMMARY"

    def name(self) -> str:
        return "dark_lights_near_reports"

    def displayName(self) -> str:
        return tr("Dark street lights near open security/traffic reports")

    def shortHelpString(self) -> str:
        return tr(
            "Lists dark street lights (failed, or off when judged at night) within the search distance of open "
            "field reports of the given services (default security and traffic) — places where fixing a lamp may "
            "matter most. Open = not resolved, closed, rejected or duplicate.\n"
            "Distances are measured in the analysis CRS (default VN-2000 / TM-3 107°45′).\n"
            "Output: dark lights with the number of such reports nearby, the nearest one's id and its distance.\n"
            "Đèn tắt trong bán kính quanh các phản ánh an ninh/giao thông chưa xử lý."
        )

    def initAlgorithm(self, config=None) -> None:  # noqa: ANN001
        self.addParameter(
            QgsProcessingParameterFeatureSource(self.LIGHTS, tr("Street lights layer"), [QgsProcessing.TypeVectorPoint])
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.REPORTS, tr("Field reports layer"), [QgsProcessing.TypeVectorPoint]
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.SERVICES, tr("Services (comma-separated service codes)"), "security,traffic"
            )
        )
        self.addParameter(QgsProcessingParameterDistance(self.DISTANCE, tr("Search distance"), 100.0, minValue=1.0))
        self.addParameter(QgsProcessingParameterBoolean(self.NIGHT, tr("Count 'off' lamps as dark (night)"), True))
        self.addParameter(analysis_crs_parameter(self.ANALYSIS_CRS))
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Dark lights near open reports")))
        self.addOutput(QgsProcessingOutputString(self.SUMMARY, tr("Summary")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: ANN001, ANN201
        lights = self.parameterAsSource(parameters, self.LIGHTS, context)
        reports = self.parameterAsSource(parameters, self.REPORTS, context)
        if lights is None or reports is None:
            raise QgsProcessingException(tr("Invalid input layer"))
        for name in ("service_code", "status"):
            if name not in reports.fields().names():
                raise QgsProcessingException(
                    tr("The reports layer has no field {}; expected the IOC field_reports schema.").format(name)
                )
        crs = analysis_crs(lights, self.parameterAsCrs(parameters, self.ANALYSIS_CRS, context))
        data = read_lights(lights, context, feedback, crs, layer=columnar_layer(self, parameters, self.LIGHTS, context))
        check_cancel(feedback)
        rep_id = "report_id" if "report_id" in reports.fields().names() else ""
        rep = read_features(
            reports,
            context,
            feedback,
            crs,
            text=[f for f in ("service_code", "status", rep_id) if f],
            progress=(30.0, 60.0),
            layer=columnar_layer(self, parameters, self.REPORTS, context),
        )
        services = tuple(
            s.strip() for s in self.parameterAsString(parameters, self.SERVICES, context).split(",") if s.strip()
        )
        keep = open_report_mask(rep.attrs["service_code"], rep.attrs["status"], services)
        a = data.attrs
        night = self.parameterAsBoolean(parameters, self.NIGHT, context)
        dark = dark_mask(a["state"], a["light_level"], a["fault"], night=night)
        distance = self.parameterAsDouble(parameters, self.DISTANCE, context)
        res = dark_near_reports(data.xy, dark, rep.xy[keep], distance)
        feedback.setProgress(80)
        ids = (
            rep.attrs.get(rep_id, np.array([str(f) for f in rep.fids], dtype=object))[keep]
            if rep_id
            else rep.fids[keep]
        )
        codes = rep.attrs["service_code"][keep]
        spec = [
            ("light_id", QVariant.String),
            ("ward_id", QVariant.String),
            ("state", QVariant.String),
            ("fault", QVariant.String),
            ("reports_within", QVariant.Int),
            ("nearest_report", QVariant.String),
            ("nearest_service", QVariant.String),
            ("nearest_m", QVariant.Double),
        ]
        hits = np.flatnonzero(res.reports_within > 0)
        order = hits[np.argsort(-res.reports_within[hits], kind="stable")]
        nearest = res.nearest_report[order]
        columns = [a[k][order] for k in ("light_id", "ward_id", "state", "fault")]
        columns += [
            res.reports_within[order].astype(np.int64),
            [str(py(ids[j])) for j in nearest.tolist()],
            [str(codes[j]) for j in nearest.tolist()],
            [round(float(d), 1) for d in res.nearest_m[order]],
        ]
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
            points=data.xy[order],
            progress=(80.0, 100.0),
        )
        feedback.setProgress(100)
        summary = (
            f"{len(hits)} of {int(dark.sum())} dark lights are within {distance:g} m of "
            f"{int(keep.sum())} open {'/'.join(services)} reports"
        )
        log(feedback, summary)
        return {self.OUTPUT: dest, self.SUMMARY: summary}
