"""ioc:emerging_hotspots — space-time cube of incidents (cells × weeks/months), Gi* per step, Mann–Kendall trend."""

from __future__ import annotations

import numpy as np

# the analytics import scipy lazily; without scipy the provider lists this algorithm as "needs scipy"
import scipy  # noqa: F401
from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputString,
    QgsProcessingParameterDistance,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from ioc_qgis_plugin.analytics.grid import aggregate
from ioc_qgis_plugin.processing.common import (
    NO_FILL,
    IocAlgorithm,
    analysis_crs,
    analysis_crs_parameter,
    check_cancel,
    columnar_layer,
    is_vietnamese,
    log,
    read_features,
    require_features,
    skipped_text,
    style_output,
    tr,
    warn_skipped,
    write_features,
)

STEPS = ("week", "month", "day")
HOT = ["#fee8c8", "#fc8d59", "#d7301f", "#b30000", "#fdbb84", "#fdd49e", "#ef6548", "#990000"]
COLD = ["#deebf7", "#6baed6", "#2171b5", "#08306b", "#9ecae1", "#c6dbef", "#4292c6", "#08519c"]


def category_classes() -> dict:
    from ioc_qgis_plugin.analytics.emerging import CATEGORIES, category_label

    classes = {0: (NO_FILL, category_label(0, "en"), category_label(0, "vi"))}
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
    TIME_WINDOW = "TIME_WINDOW"
    ANALYSIS_CRS = "ANALYSIS_CRS"
    OUTPUT = "OUTPUT"
    SUMMARY = "SUMMARY"

    def name(self) -> str:
        return "emerging_hotspots"

    def displayName(self) -> str:
        return tr("Emerging hot spot analysis")

    def shortHelpString(self) -> str:
        return tr(
            "Builds a space-time cube (square cells × weeks, months or days) from incident times; cells without any "
            "incident in any step are left out, as in ArcGIS. Gi* is computed for every bin with a space-time "
            "neighbourhood, as ArcGIS Emerging Hot Spot Analysis does: the cells within the distance band (binary "
            "weights) in the same step and the chosen number of previous steps, compared with the mean and "
            "standard deviation of the whole cube — so a place whose counts stay the same keeps its z-score while "
            "another area grows. Each cell's z-score series is tested for a trend with Mann–Kendall and labelled: "
            "new, consecutive, intensifying, persistent, diminishing, sporadic, oscillating or historical hot (or "
            "cold) spot, at 90 % confidence.\n"
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
        self.addParameter(
            QgsProcessingParameterNumber(
                self.TIME_WINDOW,
                tr("Neighbourhood time steps (previous steps in each bin's neighbourhood)"),
                QgsProcessingParameterNumber.Integer,
                1,
                False,
                0,
            )
        )
        self.addParameter(analysis_crs_parameter(self.ANALYSIS_CRS))
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Emerging hot spots")))
        self.addOutput(QgsProcessingOutputString(self.SUMMARY, tr("Summary")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: ANN001, ANN201
        # scipy/shapely load on first use: the provider (and qgis_process) starts faster
        from ioc_qgis_plugin.analytics.emerging import category_label, emerging_hotspots, time_steps
        from ioc_qgis_plugin.analytics.weights import distance_band

        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(tr("Invalid input layer"))
        time_field = self.parameterAsString(parameters, self.TIME_FIELD, context)
        step = STEPS[self.parameterAsEnum(parameters, self.STEP, context)]
        cell = self.parameterAsDouble(parameters, self.CELL_SIZE, context)
        band = self.parameterAsDouble(parameters, self.DISTANCE_BAND, context) or 2.0 * cell
        if cell <= 0:
            raise QgsProcessingException(tr("Cell size must be greater than 0."))
        window = self.parameterAsInt(parameters, self.TIME_WINDOW, context)
        crs = analysis_crs(source, self.parameterAsCrs(parameters, self.ANALYSIS_CRS, context), feedback)
        layer = columnar_layer(self, parameters, self.INPUT, context)
        data = read_features(source, context, feedback, crs, times=[time_field], layer=layer)
        require_features(data, 2, tr("incidents"))
        warn_skipped(feedback, data)
        times = data.attrs[time_field]
        ok = np.isfinite(times)
        if ok.sum() < 2:
            raise QgsProcessingException(tr("The time field has fewer than two readable date/times."))
        step_idx, starts = time_steps(times[ok], step)
        if len(starts) < 2:
            raise QgsProcessingException(tr("All incidents fall in one time step; choose a shorter step."))
        agg = aggregate(data.xy[ok], cell, "square", keep="nonzero")
        n_cells, n_steps = len(agg.values), len(starts)
        cube = np.bincount(
            agg.point_cell * n_steps + step_idx, minlength=n_cells * n_steps
        ).reshape(n_cells, n_steps).astype(float)  # fmt: skip
        check_cancel(feedback)
        feedback.setProgress(40)
        res = emerging_hotspots(cube, distance_band(agg.centers(), band), time_window=window)
        feedback.setProgress(70)
        spec = [
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
        lang = "vi" if is_vietnamese() else "en"
        labels = {int(c): category_label(int(c), lang) for c in np.unique(res.category)}
        columns = [
            agg.cells, cube.sum(axis=1), res.category.astype(np.int64), [labels[int(c)] for c in res.category],
            res.trend_z, res.trend_p, res.hot_steps, res.cold_steps, res.z[:, -1],
        ]  # fmt: skip
        dest_id = write_features(self, parameters, self.OUTPUT, context, feedback, spec, columns,
                                 QgsWkbTypes.Polygon, crs, rings=agg.rings())  # fmt: skip
        style_output(context, dest_id, "category", category_classes())
        counts = ", ".join(f"{k}: {v}" for k, v in res.counts().items())
        summary = tr(
            "Emerging hot spots: {cells} cells × {steps} {step}s, cell {cell:g} m, band {band:g} m, "
            "neighbourhood time steps {window}; {counts}."
        )
        summary = summary.format(
            cells=n_cells, steps=n_steps, step=step, cell=cell, band=band, window=window, counts=counts
        )
        summary += skipped_text(data)
        if (~ok).sum():
            summary += " " + tr("Incidents without a readable time: {}.").format(int((~ok).sum()))
        log(feedback, summary)
        return {self.OUTPUT: dest_id, self.SUMMARY: summary}
