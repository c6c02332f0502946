"""ioc:parcel_quality — invalid geometries, overlaps, gaps, slivers and area vs DienTich as a report layer."""

from __future__ import annotations

from qgis.core import (
    QgsCoordinateTransform,
    QgsGeometry,
    QgsProcessing,
    QgsProcessingOutputString,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from ioc_qgis_plugin.core.compat import wkb_2d
from ioc_qgis_plugin.land.quality import QualityOptions, check_quality
from ioc_qgis_plugin.processing.common import (
    columnar_layer,
    log,
    rows_to_columns,
    skipped_text,
    style_output,
    tr,
    warn_skipped,
    write_features,
)
from ioc_qgis_plugin.processing.land_base import LandAlgorithm, read_polygons

KIND_STYLE = {
    "invalid": ("#000000", "Invalid geometry", "Hình học không hợp lệ"),
    "overlap": ("#e31a1c", "Overlap", "Chồng lấn"),
    "gap": ("#1f78b4", "Gap", "Hở"),
    "sliver": ("#ff7f00", "Sliver", "Thửa mảnh"),
    "area": ("#6a3d9a", "Area ≠ DienTich", "Diện tích sai lệch"),
}


class ParcelQuality(LandAlgorithm):
    INPUT, AREA_FIELD, REL_TOL, SLIVER, GAP = "INPUT", "AREA_FIELD", "AREA_REL_TOL", "SLIVER_WIDTH", "GAP_MAX"
    OUTPUT, SUMMARY = "OUTPUT", "SUMMARY"

    def name(self) -> str:
        return "parcel_quality"

    def displayName(self) -> str:
        return tr("Cadastral parcel quality")

    def shortHelpString(self) -> str:
        return tr(
            "Checks cadastral parcels in metres (a geographic layer is projected to VN-2000 / TM-3): invalid "
            "geometries, overlaps between parcels, gaps (small or thin holes between parcels), slivers (mean "
            "width below the limit) and computed area against the declared area (DienTich). The report layer has "
            "one feature per problem with its kind, the parcel(s) concerned and a readable reason."
        )

    def initAlgorithm(self, config=None) -> None:  # noqa: ANN001
        self.addParameter(
            QgsProcessingParameterFeatureSource(self.INPUT, tr("Parcels"), [QgsProcessing.TypeVectorPolygon])
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.AREA_FIELD,
                tr("Declared area field (DienTich)"),
                None,
                self.INPUT,
                QgsProcessingParameterField.Numeric,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.REL_TOL, tr("Area tolerance (share)"), QgsProcessingParameterNumber.Double, 0.05, False, 0
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.SLIVER, tr("Sliver width (m)"), QgsProcessingParameterNumber.Double, 0.5, False, 0
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.GAP, tr("Largest gap area (m²)"), QgsProcessingParameterNumber.Double, 50.0, False, 0
            )
        )
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Quality report")))
        self.addOutput(QgsProcessingOutputString(self.SUMMARY, tr("Summary")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: ANN001, ANN201
        source = self.parameterAsSource(parameters, self.INPUT, context)
        area_field = self.parameterAsString(parameters, self.AREA_FIELD, context)
        data = read_polygons(
            source,
            context,
            feedback,
            (area_field,) if area_field else (),
            layer=columnar_layer(self, parameters, self.INPUT, context),
        )
        warn_skipped(feedback, data)
        crs, fids = data.crs, data.fids
        opts = QualityOptions(
            area_rel_tol=self.parameterAsDouble(parameters, self.REL_TOL, context),
            sliver_width_m=self.parameterAsDouble(parameters, self.SLIVER, context),
            gap_max_m2=self.parameterAsDouble(parameters, self.GAP, context),
        )
        feedback.setProgress(30)
        report = check_quality(data.geoms, data.attrs.get(area_field), opts, cancelled=feedback.isCanceled)
        spec = [
            ("kind", QVariant.String),
            ("parcel_fid", QVariant.LongLong),
            ("other_fid", QVariant.LongLong),
            ("value", QVariant.Double),
            ("reason", QVariant.String),
        ]
        rows = [
            [
                issue.kind,
                fids[issue.index] if issue.index >= 0 else None,
                fids[issue.other] if issue.other >= 0 else None,
                float(issue.value),
                issue.reason,
            ]
            for issue in report.issues
        ]
        shapes = [issue.geom for issue in report.issues]
        wkb = [wkb_2d(g) if g is not None else None for g in shapes]  # the output is 2D (no per-row fitting)
        if crs != source.sourceCrs():  # back to the layer's CRS, as QGIS transforms it
            back = QgsCoordinateTransform(crs, source.sourceCrs(), context.transformContext())
            for i, w in enumerate(wkb):
                if w is not None:
                    g = QgsGeometry()
                    g.fromWkb(w)
                    g.transform(back)
                    wkb[i] = bytes(g.asWkb())
        dest = write_features(
            self,
            parameters,
            self.OUTPUT,
            context,
            feedback,
            spec,
            rows_to_columns(rows, len(spec)),
            QgsWkbTypes.MultiPolygon,
            source.sourceCrs(),
            wkb=wkb,
            progress=(90.0, 100.0),
        )
        style_output(context, dest, "kind", KIND_STYLE)
        summary = report.summary() + skipped_text(data)
        log(feedback, summary)
        return {self.OUTPUT: dest, self.SUMMARY: summary}
