"""ioc:optimized_hotspots — Gi* hot spots with cell size and distance band chosen from the incidents themselves."""

from __future__ import annotations

from qgis.core import (
    QgsFeatureSink,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputString,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from ioc_qgis_plugin.analytics.optimized import optimized_hotspots
from ioc_qgis_plugin.processing.common import (
    GI_BIN_COLOURS,
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
            "1/100 of the extent, the distance band is the first peak of global Moran's I z-scores over 10 "
            "increasing bands (incremental spatial autocorrelation; the maximum when there is no peak), and Gi* is "
            "classified with FDR correction. The summary reports every choice."
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
        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(tr("Invalid input layer"))
        kind = ("square", "hex")[self.parameterAsEnum(parameters, self.GRID, context)]
        crs = analysis_crs(source, self.parameterAsCrs(parameters, self.ANALYSIS_CRS, context))
        data = read_features(source, context, feedback, crs)
        require_features(data, 30, tr("incidents"))
        check_cancel(feedback)
        try:
            res = optimized_hotspots(data.xy, kind)
        except ValueError as exc:
            raise QgsProcessingException(str(exc)) from exc
        feedback.setProgress(70)
        fields = make_fields(
            [
                ("cell_id", QVariant.LongLong),
                ("value", QVariant.Double),
                ("n_neighbors", QVariant.Int),
                ("GiZScore", QVariant.Double),
                ("GiPValue", QVariant.Double),
                ("Gi_Bin", QVariant.Int),
            ]
        )
        sink, dest_id = self.sink(parameters, self.OUTPUT, context, fields, QgsWkbTypes.Polygon, crs)
        agg, gi = res.aggregation, res.gi
        rings = agg.rings()
        for i in range(len(agg.values)):
            if i % 2000 == 0:
                check_cancel(feedback)
            attrs = [py(agg.cells[i]), py(agg.values[i]), py(gi.n_neighbours[i] - 1), py(gi.z[i]), py(gi.p[i])]
            sink.addFeature(
                new_feature(fields, polygon_geometry(rings[i]), [*attrs, int(gi.gi_bin[i])]), QgsFeatureSink.FastInsert
            )
        style_output(context, dest_id, "Gi_Bin", GI_BIN_COLOURS)
        summary = res.summary("vi" if is_vietnamese() else "en")
        bands = ", ".join(f"{b:g}:{z:.2f}" for b, z in zip(res.incremental.bands, res.incremental.z))
        summary += " " + tr("Moran's I z by band: {}.").format(bands)
        if res.outliers_removed:
            summary += " " + tr("Outlying incidents set aside: {}.").format(res.outliers_removed)
        log(feedback, summary)
        return {self.OUTPUT: dest_id, self.SUMMARY: summary}
