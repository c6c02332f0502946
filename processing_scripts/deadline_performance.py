"""ioc:deadline_performance — field reports on time / late / overdue by ward and category, table + choropleth."""

from __future__ import annotations

import math
import time

import numpy as np
from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from ioc_qgis_plugin.analytics.deadline import performance, report_states
from ioc_qgis_plugin.processing.common import (
    IocAlgorithm,
    check_cancel,
    columnar_layer,
    log,
    py,
    read_features,
    rows_to_columns,
    tr,
    write_features,
)

STAT_FIELDS = [
    ("total", QVariant.Int),
    ("open", QVariant.Int),
    ("overdue", QVariant.Int),
    ("due_soon", QVariant.Int),
    ("on_time", QVariant.Int),
    ("late", QVariant.Int),
    ("no_deadline", QVariant.Int),
    ("on_time_pct", QVariant.Double),
    ("median_h", QVariant.Double),
]


def stat_values(s) -> list:  # noqa: ANN001 - GroupStats
    rate = None if math.isnan(s.on_time_rate) else round(100.0 * s.on_time_rate, 2)
    med = None if math.isnan(s.median_hours) else round(s.median_hours, 2)
    return [s.total, s.open, s.overdue, s.due_soon, s.resolved_on_time, s.resolved_late, s.no_deadline, rate, med]


class DeadlinePerformance(IocAlgorithm):
    INPUT = "INPUT"
    WARDS = "WARDS"
    WARD_ID = "WARD_ID"
    BY_CATEGORY = "BY_CATEGORY"
    OUTPUT = "OUTPUT"
    WARD_OUTPUT = "WARD_OUTPUT"
    SUMMARY = "SUMMARY"

    def name(self) -> str:
        return "deadline_performance"

    def displayName(self) -> str:
        return tr("Deadline performance by ward and category")

    def shortHelpString(self) -> str:
        return tr(
            "For field reports (fields report_id, service_code, priority, status, ward_id, requested_at, due_at, "
            "resolved_at; a table without geometry will do): classifies each report as on time, due soon, overdue, "
            "resolved on time, resolved late or no deadline (rejected/duplicate, and resolved/closed without a "
            "resolution time) using the deadline rules (2 h urgent, 8 h or 24 h by category; a missing due_at is "
            "computed from them), then counts per ward and category with the on-time rate and the median hours to "
            "resolve. With a ward polygon layer it also writes a choropleth layer of on-time rate per ward."
        )

    def initAlgorithm(self, config=None) -> None:  # noqa: ANN001
        self.addParameter(
            QgsProcessingParameterFeatureSource(self.INPUT, tr("Field reports"), [QgsProcessing.TypeVector])
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.WARDS, tr("Wards (optional, for the map)"), [QgsProcessing.TypeVectorPolygon], optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.WARD_ID, tr("Ward id field of the wards"), "ward_id", self.WARDS, optional=True
            )
        )
        self.addParameter(QgsProcessingParameterBoolean(self.BY_CATEGORY, tr("Split by category"), True))
        self.addParameter(
            QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Deadline performance"), QgsProcessing.TypeVector)
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.WARD_OUTPUT, tr("On-time rate by ward"), QgsProcessing.TypeVectorPolygon, optional=True
            )
        )
        self.addOutput(QgsProcessingOutputString(self.SUMMARY, tr("Summary")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: ANN001, ANN201
        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(tr("Invalid input layer"))
        names = source.fields().names()
        needed = ["service_code", "priority", "status", "ward_id", "requested_at"]
        missing = [n for n in needed if n not in names]
        if missing:
            raise QgsProcessingException(tr("Field reports lack the fields: {}").format(", ".join(missing)))
        by_category = self.parameterAsBoolean(parameters, self.BY_CATEGORY, context)
        times = ["requested_at"] + [n for n in ("due_at", "resolved_at") if n in names]
        # no geometry needed: reports without a location (or a table without geometry) count like any other
        data = read_features(
            source, context, feedback, source.sourceCrs(), text=["service_code", "priority", "status", "ward_id"],
            times=times, need_geometry=False, layer=columnar_layer(self, parameters, self.INPUT, context),
        )  # fmt: skip
        n = len(data.xy)  # (not data.fids: PostGIS int8 keys would cost a pass to map them to QGIS ids)
        if n == 0:
            raise QgsProcessingException(tr("No field reports to analyse."))
        no_location = data.skipped if source.wkbType() != QgsWkbTypes.NoGeometry else 0
        a = data.attrs
        due = a.get("due_at", np.full(n, np.nan))
        resolved = a.get("resolved_at", np.full(n, np.nan))
        now = time.time()
        state = report_states(a["service_code"], a["priority"], a["status"], a["requested_at"], due, resolved, now)
        check_cancel(feedback)
        stats = performance(a["ward_id"], a["service_code"], state, a["requested_at"], resolved, by_category)
        spec = [("ward_id", QVariant.String), ("category", QVariant.String), *STAT_FIELDS]
        rows = [[s.ward, s.category, *stat_values(s)] for s in stats]
        dest_id = write_features(
            self,
            parameters,
            self.OUTPUT,
            context,
            feedback,
            spec,
            rows_to_columns(rows, len(spec)),
            QgsWkbTypes.NoGeometry,
            progress=(40.0, 70.0),
        )

        ward_dest = None
        wards = self.parameterAsSource(parameters, self.WARDS, context)
        if wards is not None and parameters.get(self.WARD_OUTPUT):
            key = self.parameterAsString(parameters, self.WARD_ID, context) or "ward_id"
            if key not in wards.fields().names():
                raise QgsProcessingException(tr("The wards layer has no field {}").format(key))
            per_ward = {s.ward: s for s in performance(a["ward_id"], a["service_code"], state, a["requested_at"],
                                                        resolved, by_category=False)}  # fmt: skip
            wspec = [("ward_id", QVariant.String), *STAT_FIELDS]
            wrows, wkb = [], []
            for f in wards.getFeatures():  # wards: a few dozen polygons
                wid = "" if f[key] is None else str(f[key])
                s = per_ward.get(wid)
                wrows.append([wid, *(stat_values(s) if s else [0, 0, 0, 0, 0, 0, 0, None, None])])
                wkb.append(bytes(f.geometry().asWkb()) if f.hasGeometry() else None)
            ward_dest = write_features(
                self,
                parameters,
                self.WARD_OUTPUT,
                context,
                feedback,
                wspec,
                rows_to_columns(wrows, len(wspec)),
                wards.wkbType(),
                wards.sourceCrs(),
                wkb=wkb,
                progress=(70.0, 100.0),
            )

        total_resolved = sum(s.resolved_on_time + s.resolved_late for s in stats)
        on_time = sum(s.resolved_on_time for s in stats)
        overdue = sum(s.overdue for s in stats)
        rate = f"{100.0 * on_time / total_resolved:.1f}%" if total_resolved else "–"
        summary = tr(
            "Deadline performance: {n} reports in {g} groups; resolved on time {rate} ({on}/{res}); open overdue {od}."
        ).format(n=n, g=len(stats), rate=rate, on=on_time, res=total_resolved, od=overdue)
        done_values = {"resolved", "closed"}
        undated = int(sum(1 for st, r in zip(a["status"], resolved) if st in done_values and not np.isfinite(r)))
        if undated:
            summary += " " + tr("Resolved/closed without a resolution time (no deadline): {}.").format(undated)
        if no_location:
            summary += " " + tr("Reports without a location (counted, not mapped): {}.").format(no_location)
        log(feedback, summary)
        out = {self.OUTPUT: dest_id, self.SUMMARY: summary}
        if ward_dest:
            out[self.WARD_OUTPUT] = ward_dest
        return {k: py(v) for k, v in out.items()}
