"""ioc:parcel_quality — invalid geometries, overlaps, gaps, slivers and area vs DienTich as a report layer."""

from __future__ import annotations

from qgis.core import (
    QgsCoordinateTransform,
    QgsFeatureSink,
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

from ioc_qgis_plugin.land.quality import QualityOptions, check_quality
from ioc_qgis_plugin.processing.common import log, make_fields, new_feature, style_output, tr
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
        crs, fids, geoms, attrs = read_polygons(source, context, feedback, (area_field,) if area_field else ())
        opts = QualityOptions(
            area_rel_tol=self.parameterAsDouble(parameters, self.REL_TOL, context),
            sliver_width_m=self.parameterAsDouble(parameters, self.SLIVER, context),
            gap_max_m2=self.parameterAsDouble(parameters, self.GAP, context),
        )
        feedback.setProgress(30)
        report = check_quality(geoms, attrs.get(area_field), opts, cancelled=feedback.isCanceled)
        fields = make_fields(
            [
                ("kind", QVariant.String),
                ("parcel_fid", QVariant.LongLong),
                ("other_fid", QVariant.LongLong),
                ("value", QVariant.Double),
                ("reason", QVariant.String),
            ]
        )
        sink, dest = self.parameterAsSink(
            parameters, self.OUTPUT, context, fields, QgsWkbTypes.MultiPolygon, source.sourceCrs()
        )
        back = QgsCoordinateTransform(crs, source.sourceCrs(), context.transformContext())
        for issue in report.issues:
            g = QgsGeometry.fromWkt(issue.geom.wkt) if issue.geom is not None else QgsGeometry()
            if not g.isNull():
                g.convertToMultiType()
                g.transform(back)
            values = [
                issue.kind,
                fids[issue.index] if issue.index >= 0 else None,
                fids[issue.other] if issue.other >= 0 else None,
                float(issue.value),
                issue.reason,
            ]
            sink.addFeature(new_feature(fields, g, values), QgsFeatureSink.FastInsert)
        style_output(context, dest, "kind", KIND_STYLE)
        summary = report.summary()
        log(feedback, summary)
        return {self.OUTPUT: dest, self.SUMMARY: summary}
