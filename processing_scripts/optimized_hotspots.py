"""ioc:optimized_hotspots — Gi* hot spots with cell size and distance band chosen from the incidents themselves."""

from __future__ import annotations

import numpy as np

# the analytics import scipy lazily; without scipy the provider lists this algorithm as "needs scipy"
import scipy  # noqa: F401
from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputString,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from ioc_qgis_plugin.processing.common import (
    GI_BIN_COLOURS,
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


class OptimizedHotspots(IocAlgorithm):
    INPUT = "INPUT"
    GRID = "GRID"
    ANALYSIS_CRS = "ANALYSIS_CRS"
    OUTPUT = "OUTPUT"
    SUMMARY = "SUMMARY"

    def name(self) -> str:
        return "optimized_hotspots"

    def displayName(self) -> str:
        return tr("Optimized hot spot analysis")

    def shortHelpString(self) -> str:
        return tr(
            "Hot spot analysis that chooses its own scale: incidents far outside the main area (beyond three standard "
            "distances) are set aside, the cell size is the larger of twice the mean nearest-neighbour distance and "
            "1/100 of the extent, the distance band is the first peak of global Moran's I z-scores over 15 "
            "bands from the smallest band giving every cell a neighbour to a quarter of the area (incremental "
            "spatial autocorrelation). Without a peak, as in ArcGIS, the band is the mean distance to the K nearest "
            "cells (K = 5 % of the cells, 3 to 30), and a warning says so. Gi* is classified with FDR correction. "
            "The summary reports every choice."
        )

    def initAlgorithm(self, config=None) -> None:  # noqa: ANN001
        self.addParameter(
            QgsProcessingParameterFeatureSource(self.INPUT, tr("Incidents (points)"), [QgsProcessing.TypeVectorPoint])
        )
        self.addParameter(
            QgsProcessingParameterEnum(self.GRID, tr("Grid"), [tr("Square grid"), tr("Hexagon grid")], defaultValue=0)
        )
        self.addParameter(analysis_crs_parameter(self.ANALYSIS_CRS))
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Optimized hot spots")))
        self.addOutput(QgsProcessingOutputString(self.SUMMARY, tr("Summary")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: ANN001, ANN201
        # scipy/shapely load on first use: the provider (and qgis_process) starts faster
        from ioc_qgis_plugin.analytics.optimized import optimized_hotspots

        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(tr("Invalid input layer"))
        kind = ("square", "hex")[self.parameterAsEnum(parameters, self.GRID, context)]
        crs = analysis_crs(source, self.parameterAsCrs(parameters, self.ANALYSIS_CRS, context), feedback)
        layer = columnar_layer(self, parameters, self.INPUT, context)
        data = read_features(source, context, feedback, crs, layer=layer)
        require_features(data, 30, tr("incidents"))
        warn_skipped(feedback, data)
        check_cancel(feedback)
        try:
            res = optimized_hotspots(data.xy, kind)
        except ValueError as exc:
            raise QgsProcessingException(str(exc)) from exc
        feedback.setProgress(70)
        spec = [
            ("cell_id", QVariant.LongLong),
            ("value", QVariant.Double),
            ("n_neighbors", QVariant.Int),
            ("GiZScore", QVariant.Double),
            ("GiPValue", QVariant.Double),
            ("Gi_Bin", QVariant.Int),
        ]
        agg, gi = res.aggregation, res.gi
        columns = [agg.cells, agg.values, gi.n_neighbours - 1, gi.z, gi.p, gi.gi_bin.astype(np.int64)]
        dest_id = write_features(self, parameters, self.OUTPUT, context, feedback, spec, columns,
                                 QgsWkbTypes.Polygon, crs, rings=agg.rings())  # fmt: skip
        style_output(context, dest_id, "Gi_Bin", GI_BIN_COLOURS)
        summary = res.summary("vi" if is_vietnamese() else "en")
        bands = ", ".join(f"{b:g}:{z:.2f}" for b, z in zip(res.incremental.bands, res.incremental.z))
        summary += " " + tr("Moran's I z by band: {}.").format(bands)
        if res.outliers_removed:
            summary += " " + tr("Outlying incidents set aside: {}.").format(res.outliers_removed)
        if res.incremental.peak_index is None:
            feedback.pushWarning(
                tr("No peak of spatial autocorrelation between {:.4g} and {:.4g} m: the band is the mean distance to "
                   "the {} nearest neighbours.").format(res.incremental.bands[0], res.incremental.bands[-1],
                                                        res.fallback_k)
            )  # fmt: skip
        summary += skipped_text(data)
        log(feedback, summary)
        return {self.OUTPUT: dest_id, self.SUMMARY: summary}
