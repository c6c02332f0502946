"""ioc:camera_coverage_gaps — incident hot cells (Gi*) that no camera's field of view covers, ranked."""

from __future__ import annotations

import numpy as np

# the analytics import scipy lazily; without scipy the provider lists this algorithm as "needs scipy"
import scipy  # noqa: F401
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputString,
    QgsProcessingParameterDistance,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterNumber,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from ioc_qgis_plugin.analytics.grid import aggregate
from ioc_qgis_plugin.processing.common import (
    IocAlgorithm,
    analysis_crs,
    analysis_crs_parameter,
    check_cancel,
    columnar_layer,
    log,
    read_features,
    require_features,
    skipped_text,
    tr,
    warn_skipped,
    write_features,
)


class CameraCoverageGaps(IocAlgorithm):
    INPUT = "INPUT"
    CAMERAS = "CAMERAS"
    CELL_SIZE = "CELL_SIZE"
    MIN_BIN = "MIN_BIN"
    MIN_COVERED = "MIN_COVERED"
    ANALYSIS_CRS = "ANALYSIS_CRS"
    OUTPUT = "OUTPUT"
    SUMMARY = "SUMMARY"

    def name(self) -> str:
        return "camera_coverage_gaps"

    def displayName(self) -> str:
        return tr("Camera coverage gaps")

    def shortHelpString(self) -> str:
        return tr(
            "Counts incidents on a square grid, finds hot cells with Getis-Ord Gi* (FDR, band = two cells) and checks "
            "each hot cell against the cameras' fields of view (wedge from position, bearing, angle and range_m; a "
            "camera without bearing/angle sees all around). Hot cells with less than the chosen share of their area "
            "seen are gaps, ranked from the hottest (rank 1)."
        )

    def initAlgorithm(self, config=None) -> None:  # noqa: ANN001
        self.addParameter(
            QgsProcessingParameterFeatureSource(self.INPUT, tr("Incidents (points)"), [QgsProcessing.TypeVectorPoint])
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.CAMERAS, tr("Cameras (bearing, angle, range_m)"), [QgsProcessing.TypeVectorPoint]
            )
        )
        self.addParameter(QgsProcessingParameterDistance(self.CELL_SIZE, tr("Cell size"), 200.0, self.INPUT, False, 0))
        self.addParameter(
            QgsProcessingParameterEnum(
                self.MIN_BIN,
                tr("Hot cells are"),
                [tr("Hot at 90 % or more"), tr("Hot at 95 % or more"), tr("Hot at 99 %")],
                defaultValue=1,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.MIN_COVERED,
                tr("A cell counts as seen from this share of its area (0–1)"),
                QgsProcessingParameterNumber.Double,
                0.5,
                False,
                0.0,
                1.0,
            )
        )
        self.addParameter(analysis_crs_parameter(self.ANALYSIS_CRS))
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Coverage gaps")))
        self.addOutput(QgsProcessingOutputString(self.SUMMARY, tr("Summary")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: ANN001, ANN201
        # scipy/shapely load on first use: the provider (and qgis_process) starts faster
        from shapely import wkt as shapely_wkt

        from ioc_qgis_plugin.analytics.coverage import coverage_gaps
        from ioc_qgis_plugin.analytics.gistar import gi_star_lattice
        from ioc_qgis_plugin.core.fov import fov_wedge

        source = self.parameterAsSource(parameters, self.INPUT, context)
        cameras = self.parameterAsSource(parameters, self.CAMERAS, context)
        if source is None or cameras is None:
            raise QgsProcessingException(tr("Invalid input layer"))
        cell = self.parameterAsDouble(parameters, self.CELL_SIZE, context)
        if cell <= 0:
            raise QgsProcessingException(tr("Cell size must be greater than 0."))
        min_bin = 1 + self.parameterAsEnum(parameters, self.MIN_BIN, context)
        min_covered = self.parameterAsDouble(parameters, self.MIN_COVERED, context)
        crs = analysis_crs(source, self.parameterAsCrs(parameters, self.ANALYSIS_CRS, context), feedback)
        layer = columnar_layer(self, parameters, self.INPUT, context)
        data = read_features(source, context, feedback, crs, progress=(0, 20), layer=layer)
        require_features(data, 2, tr("incidents"))
        warn_skipped(feedback, data)
        cam_fields = [f for f in ("bearing", "angle", "range_m") if f in cameras.fields().names()]
        if "range_m" not in cam_fields:
            raise QgsProcessingException(tr("The camera layer needs a range_m field."))
        wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
        cams = read_features(cameras, context, feedback, wgs84, numeric=cam_fields, progress=(20, 30))
        if cams.skipped and feedback is not None:
            feedback.pushWarning(tr("{} cameras without a position were left out.").format(cams.skipped))
        to_analysis = QgsCoordinateTransform(wgs84, crs, context.transformContext())
        wedges = []
        cam_xy = []
        for i, (lon, lat) in enumerate(cams.xy):
            b = cams.attrs.get("bearing", np.full(len(cams.xy), np.nan))[i]
            a = cams.attrs.get("angle", np.full(len(cams.xy), np.nan))[i]
            r = cams.attrs["range_m"][i]
            wedge = fov_wedge(lon, lat, None if np.isnan(b) else b, None if np.isnan(a) else a, r)
            p = QgsGeometry.fromWkt(f"POINT ({lon} {lat})")
            p.transform(to_analysis)
            cam_xy.append((p.asPoint().x(), p.asPoint().y()))
            if wedge.is_empty:
                continue
            g = QgsGeometry.fromWkt(wedge.wkt)
            g.transform(to_analysis)
            wedges.append(shapely_wkt.loads(g.asWkt()))
        check_cancel(feedback)
        agg = aggregate(data.xy, cell, "square")
        if len(agg.values) < 2:
            raise QgsProcessingException(tr("All incidents fall in one cell; choose a smaller cell size."))
        rows_, cols_ = np.divmod(agg.cells, agg.grid.ncols)
        gi = gi_star_lattice(rows_, cols_, agg.values, (agg.grid.nrows, agg.grid.ncols), cell, 2.0 * cell, fdr=True)
        feedback.setProgress(50)
        rings = agg.rings()
        res = coverage_gaps(rings, gi.z, gi.gi_bin >= min_bin, wedges, np.asarray(cam_xy).reshape(-1, 2), min_covered)
        feedback.setProgress(80)
        spec = [
            ("rank", QVariant.Int),
            ("cell_id", QVariant.LongLong),
            ("incidents", QVariant.Double),
            ("GiZScore", QVariant.Double),
            ("Gi_Bin", QVariant.Int),
            ("covered_pct", QVariant.Double),
            ("nearest_cam_m", QVariant.Double),
        ]
        idx = np.flatnonzero(res.gap)[np.argsort(res.rank[res.gap])]
        columns = [
            res.rank[idx], agg.cells[idx], agg.values[idx], gi.z[idx], gi.gi_bin[idx].astype(np.int64),
            np.round(100.0 * res.covered[idx], 2), res.nearest_camera[idx],
        ]  # fmt: skip
        dest_id = write_features(self, parameters, self.OUTPUT, context, feedback, spec, columns,
                                 QgsWkbTypes.Polygon, crs, rings=rings[idx])  # fmt: skip
        hot = int((gi.gi_bin >= min_bin).sum())
        summary = tr(
            "Camera coverage: {hot} hot cells (Gi_Bin ≥ {b}, cell {cell:g} m), {gaps} not seen by any of {cams} "
            "cameras (< {pct:g}% of the cell in a field of view)."
        ).format(hot=hot, b=min_bin, cell=cell, gaps=int(res.gap.sum()), cams=len(cams.xy), pct=100 * min_covered)
        summary += skipped_text(data)
        log(feedback, summary)
        return {self.OUTPUT: dest_id, self.SUMMARY: summary}
