"""ioc:emerging_hotspots — space-time cube of incidents (cells × weeks/months), Gi* per step, Mann–Kendall trend."""

from __future__ import annotations

import numpy as np
from qgis.core import (
    QgsFeatureSink,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputString,
    QgsProcessingParameterDistance,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from ioc_qgis_plugin.analytics.emerging import CATEGORIES, category_label, emerging_hotspots, time_steps
from ioc_qgis_plugin.analytics.grid import aggregate
from ioc_qgis_plugin.analytics.weights import distance_band
from ioc_qgis_plugin.processing.common import (
    IocAlgorithm,
    analysis_crs,
    analysis_crs_parameter,
    check_cancel,
    is_vietnamese,
    log,
    make_fields,
    new_feature,
    polygon_geometry,
    py,
    read_features,
    require_features,
    style_output,
    tr,
)

STEPS = ("week", "month", "day")
HOT = ["#fee8c8", "#fc8d59", "#d7301f", "#b30000", "#fdbb84", "#fdd49e", "#ef6548", "#990000"]
COLD = ["#deebf7", "#6baed6", "#2171b5", "#08306b", "#9ecae1", "#c6dbef", "#4292c6", "#08519c"]


def category_classes() -> dict:
    classes = {0: ("#f0f0f0", category_label(0, "en"), category_label(0, "vi"))}
    for code in CATEGORIES:
        classes[code] = (HOT[code - 1], category_label(code, "en"), category_label(code, "vi"))
        classes[-code] = (COLD[code - 1], category_label(-code, "en"), category_label(-code, "vi"))
    return classes


class EmergingHotspots(IocAlgorithm):
    INPUT = "INPUT"
    TIME_FIELD = "TIME_FIELD"
    STEP = "STEP"
    CELL_SIZE = "CELL_SIZE"
    DISTANCE_BAND = "DISTANCE_BAND"
    ANALYSIS_CRS = "ANALYSIS_CRS"
    OUTPUT = "OUTPUT"
    SUMMARY = "SUMMARY"

    def name(self) -> str:
        return "emerging_hotspots"

    def displayName(self) -> str:
        return tr("Emerging hot spot analysis")

    def shortHelpString(self) -> str:
        return tr(
            "Builds a space-time cube (square cells × weeks, months or days) from incident times, computes Gi* for "
            "every cell in every time step (distance band, binary weights), tests each cell's z-score series for a "
            "trend with Mann–Kendall and labels it: new, consecutive, intensifying, persistent, diminishing, "
            "sporadic, oscillating or historical hot (or cold) spot, at 90 % confidence.\n"
            "Field reports: use requested_at as the time field."
        )

    def initAlgorithm(self, config=None) -> None:  # noqa: ANN001
        self.addParameter(
            QgsProcessingParameterFeatureSource(self.INPUT, tr("Incidents (points)"), [QgsProcessing.TypeVectorPoint])
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.TIME_FIELD, tr("Time field"), "requested_at", self.INPUT, QgsProcessingParameterField.Any
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(self.STEP, tr("Time step"), [tr("Week"), tr("Month"), tr("Day")], defaultValue=0)
        )
        self.addParameter(QgsProcessingParameterDistance(self.CELL_SIZE, tr("Cell size"), 500.0, self.INPUT, False, 0))
        self.addParameter(
            QgsProcessingParameterDistance(
                self.DISTANCE_BAND, tr("Distance band (0 = two cells)"), 0.0, self.INPUT, False, 0.0
            )
        )
        self.addParameter(analysis_crs_parameter(self.ANALYSIS_CRS))
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Emerging hot spots")))
        self.addOutput(QgsProcessingOutputString(self.SUMMARY, tr("Summary")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: ANN001, ANN201
        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(tr("Invalid input layer"))
        time_field = self.parameterAsString(parameters, self.TIME_FIELD, context)
        step = STEPS[self.parameterAsEnum(parameters, self.STEP, context)]
        cell = self.parameterAsDouble(parameters, self.CELL_SIZE, context)
        band = self.parameterAsDouble(parameters, self.DISTANCE_BAND, context) or 2.0 * cell
        if cell <= 0:
            raise QgsProcessingException(tr("Cell size must be greater than 0."))
        crs = analysis_crs(source, self.parameterAsCrs(parameters, self.ANALYSIS_CRS, context))
        data = read_features(source, context, feedback, crs, times=[time_field])
        require_features(data, 2, tr("incidents"))
        times = data.attrs[time_field]
        ok = np.isfinite(times)
        if ok.sum() < 2:
            raise QgsProcessingException(tr("The time field has fewer than two readable date/times."))
        step_idx, starts = time_steps(times[ok], step)
        if len(starts) < 2:
            raise QgsProcessingException(tr("All incidents fall in one time step; choose a shorter step."))
        agg = aggregate(data.xy[ok], cell, "square")
        n_cells, n_steps = len(agg.values), len(starts)
        cube = np.bincount(
            agg.point_cell * n_steps + step_idx, minlength=n_cells * n_steps
        ).reshape(n_cells, n_steps).astype(float)  # fmt: skip
        check_cancel(feedback)
        feedback.setProgress(40)
        res = emerging_hotspots(cube, distance_band(agg.centers(), band))
        feedback.setProgress(70)
        fields = make_fields(
            [
                ("cell_id", QVariant.LongLong),
                ("total", QVariant.Double),
                ("category", QVariant.Int),
                ("pattern", QVariant.String),
                ("trend_z", QVariant.Double),
                ("trend_p", QVariant.Double),
                ("hot_steps", QVariant.Int),
                ("cold_steps", QVariant.Int),
                ("final_z", QVariant.Double),
            ]
        )
        sink, dest_id = self.sink(parameters, self.OUTPUT, context, fields, QgsWkbTypes.Polygon, crs)
        lang = "vi" if is_vietnamese() else "en"
        rings = agg.rings()
        for i in range(n_cells):
            if i % 2000 == 0:
                check_cancel(feedback)
            code = int(res.category[i])
            values = [
                py(agg.cells[i]),
                py(cube[i].sum()),
                code,
                category_label(code, lang),
                py(res.trend_z[i]),
                py(res.trend_p[i]),
                py(res.hot_steps[i]),
                py(res.cold_steps[i]),
                py(res.z[i, -1]),
            ]
            sink.addFeature(new_feature(fields, polygon_geometry(rings[i]), values), QgsFeatureSink.FastInsert)
        style_output(context, dest_id, "category", category_classes())
        counts = ", ".join(f"{k}: {v}" for k, v in res.counts().items())
        summary = tr("Emerging hot spots: {cells} cells × {steps} {step}s, cell {cell:g} m, band {band:g} m; {counts}.")
        summary = summary.format(cells=n_cells, steps=n_steps, step=step, cell=cell, band=band, counts=counts)
        if (~ok).sum():
            summary += " " + tr("Incidents without a readable time: {}.").format(int((~ok).sum()))
        log(feedback, summary)
        return {self.OUTPUT: dest_id, self.SUMMARY: summary}
