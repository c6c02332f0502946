"""ioc:hotspots_gistar — Getis-Ord Gi* hot spots on a square/hexagon grid of incidents, or on features with a value."""

from __future__ import annotations

import numpy as np

# the analytics import scipy lazily; without scipy the provider lists this algorithm as "needs scipy"
import scipy  # noqa: F401
from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
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
    style_output,
    tr,
    warn_skipped,
    write_features,
)

AGGREGATIONS = ("square", "hex", "none")
MIN_INCIDENTS = 30  # ArcGIS's rule of thumb for Hot Spot Analysis


def default_cell_size(xy: np.ndarray) -> float:
    """About 50 cells across the longer side of the data extent, rounded to a readable number of metres."""
    span = float(np.ptp(xy, axis=0).max()) if len(xy) > 1 else 0.0
    if span <= 0:
        return 100.0
    raw = span / 50.0
    magnitude = 10 ** np.floor(np.log10(raw))
    return float(min((1, 2, 2.5, 5, 10), key=lambda m: abs(m * magnitude - raw)) * magnitude)


class HotspotsGiStar(IocAlgorithm):
    INPUT = "INPUT"
    AGGREGATION = "AGGREGATION"
    CELL_SIZE = "CELL_SIZE"
    VALUE_FIELD = "VALUE_FIELD"
    NEIGHBOURHOOD = "NEIGHBOURHOOD"
    DISTANCE_BAND = "DISTANCE_BAND"
    K = "K_NEIGHBOURS"
    FDR = "FDR"
    ANALYSIS_CRS = "ANALYSIS_CRS"
    OUTPUT = "OUTPUT"
    SUMMARY = "SUMMARY"

    def name(self) -> str:
        return "hotspots_gistar"

    def displayName(self) -> str:
        return tr("Hot spot analysis (Getis-Ord Gi*)")

    def shortHelpString(self) -> str:
        return tr(
            "Finds statistically significant hot and cold spots with the Getis-Ord Gi* statistic "
            "(same z-scores as ArcGIS Hot Spot Analysis and PySAL esda.G_Local(star=True, transform='B')).\n"
            "Points (incidents) are counted on a square or hexagon grid, or each feature is used as it is with a "
            "numeric value field (e.g. counts per ward polygon). Neighbours: a fixed distance band (binary weights; "
            "0 = the smallest band giving every feature a neighbour, or 2 cells on a grid) or the k nearest.\n"
            "Outputs GiZScore, GiPValue (two-sided) and Gi_Bin (−3…+3: cold/hot at 99/95/90 % confidence), with "
            "optional Benjamini–Hochberg false discovery rate correction.\n"
            "A geographic input CRS is reprojected to the analysis CRS (default VN-2000 / TM-3 107°45′, EPSG:5899)."
        )

    def initAlgorithm(self, config=None) -> None:  # noqa: ANN001
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.INPUT,
                tr("Incidents (points) or areas"),
                [QgsProcessing.TypeVectorPoint, QgsProcessing.TypeVectorPolygon],
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.AGGREGATION,
                tr("Aggregate points to"),
                [tr("Square grid"), tr("Hexagon grid"), tr("No aggregation (use features and value field)")],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterDistance(
                self.CELL_SIZE, tr("Cell size (0 = automatic)"), 0.0, self.INPUT, minValue=0.0
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.VALUE_FIELD,
                tr("Value field (optional; summed per cell, required without aggregation)"),
                parentLayerParameterName=self.INPUT,
                type=QgsProcessingParameterField.Numeric,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.NEIGHBOURHOOD,
                tr("Neighbourhood"),
                [tr("Fixed distance band"), tr("K nearest neighbours")],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterDistance(
                self.DISTANCE_BAND, tr("Distance band (0 = automatic)"), 0.0, self.INPUT, minValue=0.0
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.K, tr("Number of neighbours (k)"), QgsProcessingParameterNumber.Integer, 8, minValue=1
            )
        )
        self.addParameter(QgsProcessingParameterBoolean(self.FDR, tr("False discovery rate (FDR) correction"), True))
        self.addParameter(analysis_crs_parameter(self.ANALYSIS_CRS))
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Hot spots")))
        self.addOutput(QgsProcessingOutputString(self.SUMMARY, tr("Summary")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: ANN001, ANN201
        # scipy/shapely load on first use: the provider (and qgis_process) starts faster
        from ioc_qgis_plugin.analytics.gistar import gi_star, gi_star_lattice

        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(tr("Invalid input layer"))
        aggregation = AGGREGATIONS[self.parameterAsEnum(parameters, self.AGGREGATION, context)]
        value_field = self.parameterAsString(parameters, self.VALUE_FIELD, context)
        use_knn = self.parameterAsEnum(parameters, self.NEIGHBOURHOOD, context) == 1
        k = self.parameterAsInt(parameters, self.K, context)
        band = self.parameterAsDouble(parameters, self.DISTANCE_BAND, context)
        cell = self.parameterAsDouble(parameters, self.CELL_SIZE, context)
        fdr = self.parameterAsBoolean(parameters, self.FDR, context)
        crs = analysis_crs(source, self.parameterAsCrs(parameters, self.ANALYSIS_CRS, context), feedback)
        polygons_in = QgsWkbTypes.geometryType(source.wkbType()) == QgsWkbTypes.PolygonGeometry
        if aggregation == "none" and not value_field:
            raise QgsProcessingException(tr("Without aggregation a numeric value field is needed."))

        numeric = [value_field] if value_field else []
        data = read_features(
            source, context, feedback, crs, numeric=numeric, keep_geometry=aggregation == "none",
            layer=columnar_layer(self, parameters, self.INPUT, context),
        )  # fmt: skip
        warn_skipped(feedback, data)
        require_features(data, 2)
        values = data.attrs[value_field] if value_field else np.ones(len(data.xy))
        check_cancel(feedback)

        if aggregation == "none":
            bad = ~np.isfinite(values)
            if bad.all():
                raise QgsProcessingException(tr("The value field has no numeric values."))
            xy, y = data.xy[~bad], values[~bad]
            geoms = [g for g, b in zip(data.geometries, bad) if not b]
            if bad.any():
                feedback.pushWarning(tr("{} features with a NULL value were left out.").format(int(bad.sum())))
        else:
            if not np.isfinite(values).all():
                feedback.pushWarning(tr("NULL values in the value field count as 0."))
                values = np.nan_to_num(values, nan=0.0)
            if cell <= 0:
                cell = default_cell_size(data.xy)
            agg = aggregate(data.xy, cell, aggregation, weights=values)
            xy, y = agg.centers(), agg.values
            if len(y) < 2:
                raise QgsProcessingException(
                    tr("All points fall in one cell of {} m; choose a smaller cell size.").format(cell)
                )
            rings = agg.rings()
            if band <= 0 and not use_knn:
                band = 2.0 * cell  # the 5×5 block of squares around a cell (the 2-ring of hexagons)
        feedback.setProgress(40)
        check_cancel(feedback)
        if use_knn and k >= len(y):
            raise QgsProcessingException(tr("k = {} needs more than {} features.").format(k, len(y)))
        if aggregation != "none" and float(np.sum(values)) < MIN_INCIDENTS:
            feedback.pushWarning(
                tr("Only {} incidents: Gi* needs about {} or more to say anything reliable.").format(
                    int(np.sum(values)), MIN_INCIDENTS
                )
            )

        def progress(fraction: float) -> bool:
            feedback.setProgress(40 + 30 * fraction)
            return not feedback.isCanceled()

        try:
            if aggregation == "square" and not use_knn:
                # fishnet cells: neighbour sums by a convolution over the lattice (exact, no pair search)
                rows_, cols_ = np.divmod(agg.cells, agg.grid.ncols)
                shape = (agg.grid.nrows, agg.grid.ncols)
                result = gi_star_lattice(rows_, cols_, y, shape, cell, band, fdr)
            else:
                result = gi_star(
                    xy, y, band=None if use_knn else (band or None), k=k if use_knn else None, fdr=fdr,
                    progress=progress,
                )  # fmt: skip
        except InterruptedError as exc:
            raise QgsProcessingException(tr("Canceled")) from exc
        except ValueError as exc:
            raise QgsProcessingException(str(exc)) from exc
        feedback.setProgress(70)
        if result.isolated:
            feedback.pushWarning(
                tr("{} features have no neighbour within the band: they get no z-score and no hot/cold class.").format(
                    result.isolated
                )
            )

        spec = [
            ("cell_id" if aggregation != "none" else "src_fid", QVariant.LongLong),
            ("value", QVariant.Double),
            ("n_neighbors", QVariant.Int),
            ("GiZScore", QVariant.Double),
            ("GiPValue", QVariant.Double),
            ("Gi_Bin", QVariant.Int),
        ]
        ids = agg.cells if aggregation != "none" else data.fids[np.isfinite(values)]
        columns = [ids, y, result.n_neighbours - 1, result.z, result.p, result.gi_bin.astype(np.int64)]
        if aggregation == "none":
            if polygons_in:
                dest_id = write_features(self, parameters, self.OUTPUT, context, feedback, spec, columns,
                                         source.wkbType(), crs, geometries=geoms)  # fmt: skip
            else:
                dest_id = write_features(self, parameters, self.OUTPUT, context, feedback, spec, columns,
                                         QgsWkbTypes.Point, crs, points=xy)  # fmt: skip
        else:
            dest_id = write_features(self, parameters, self.OUTPUT, context, feedback, spec, columns,
                                     QgsWkbTypes.Polygon, crs, rings=rings)  # fmt: skip
        style_output(context, dest_id, "Gi_Bin", GI_BIN_COLOURS)

        result.params = {
            **({"cell_size": float(cell), "grid": aggregation} if aggregation != "none" else {}),
            **result.params,
            "crs": crs.authid(),
        }
        summary = result.summary("vi" if is_vietnamese() else "en")
        if data.skipped:
            summary += " " + tr("Skipped features without geometry: {}.").format(data.skipped)
        log(feedback, summary)
        return {self.OUTPUT: dest_id, self.SUMMARY: summary}
