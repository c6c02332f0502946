"""ioc:density_clusters — DBSCAN / HDBSCAN clusters of incidents: cluster id per point plus one hull per cluster."""

from __future__ import annotations

# the analytics import scipy lazily; without scipy the provider lists this algorithm as "needs scipy"
import scipy  # noqa: F401
from qgis.core import (
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


class DensityClusters(IocAlgorithm):
    INPUT = "INPUT"
    METHOD = "METHOD"
    EPS = "EPS"
    MIN_SAMPLES = "MIN_SAMPLES"
    MIN_CLUSTER_SIZE = "MIN_CLUSTER_SIZE"
    ANALYSIS_CRS = "ANALYSIS_CRS"
    OUTPUT = "OUTPUT"
    HULLS = "HULLS"
    SUMMARY = "SUMMARY"

    def name(self) -> str:
        return "density_clusters"

    def displayName(self) -> str:
        return tr("Density-based clusters (DBSCAN / HDBSCAN)")

    def shortHelpString(self) -> str:
        return tr(
            "Groups incidents into dense clusters. DBSCAN: points with at least 'minimum points' neighbours within "
            "the search distance form clusters (scikit-learn). HDBSCAN: clusters of varying density, only "
            "'minimum cluster size' needed (needs the hdbscan package or scikit-learn 1.3+). "
            "Outputs every point with its cluster id (−1 = noise) and one convex-hull polygon per cluster with its "
            "size and area."
        )

    def initAlgorithm(self, config=None) -> None:  # noqa: ANN001
        self.addParameter(
            QgsProcessingParameterFeatureSource(self.INPUT, tr("Incidents (points)"), [QgsProcessing.TypeVectorPoint])
        )
        self.addParameter(QgsProcessingParameterEnum(self.METHOD, tr("Method"), ["DBSCAN", "HDBSCAN"], defaultValue=0))
        self.addParameter(
            QgsProcessingParameterDistance(self.EPS, tr("Search distance (DBSCAN)"), 100.0, self.INPUT, False, 0.0)
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.MIN_SAMPLES, tr("Minimum points (DBSCAN)"), QgsProcessingParameterNumber.Integer, 5, False, 1
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.MIN_CLUSTER_SIZE,
                tr("Minimum cluster size (HDBSCAN)"),
                QgsProcessingParameterNumber.Integer,
                10,
                False,
                2,
            )
        )
        self.addParameter(analysis_crs_parameter(self.ANALYSIS_CRS))
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Clustered incidents")))
        self.addParameter(QgsProcessingParameterFeatureSink(self.HULLS, tr("Cluster outlines")))
        self.addOutput(QgsProcessingOutputString(self.SUMMARY, tr("Summary")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: ANN001, ANN201
        # scipy/shapely load on first use: the provider (and qgis_process) starts faster
        from ioc_qgis_plugin.analytics.clusters import dbscan, hdbscan, summarise

        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(tr("Invalid input layer"))
        method = ("dbscan", "hdbscan")[self.parameterAsEnum(parameters, self.METHOD, context)]
        eps = self.parameterAsDouble(parameters, self.EPS, context)
        min_samples = self.parameterAsInt(parameters, self.MIN_SAMPLES, context)
        min_size = self.parameterAsInt(parameters, self.MIN_CLUSTER_SIZE, context)
        crs = analysis_crs(source, self.parameterAsCrs(parameters, self.ANALYSIS_CRS, context), feedback)
        layer = columnar_layer(self, parameters, self.INPUT, context)
        data = read_features(source, context, feedback, crs, layer=layer)
        require_features(data, 2, tr("incidents"))
        warn_skipped(feedback, data)
        check_cancel(feedback)
        try:
            if method == "dbscan":
                if eps <= 0:
                    raise ValueError(tr("The search distance must be greater than 0."))
                labels = dbscan(data.xy, eps, min_samples)
                params = f"eps={eps:g}, min_samples={min_samples}"
            else:
                if len(data.xy) < min_size:
                    raise ValueError(tr("Fewer incidents than the minimum cluster size."))
                labels = hdbscan(data.xy, min_size)
                params = f"min_cluster_size={min_size}"
        except (ValueError, RuntimeError) as exc:
            raise QgsProcessingException(str(exc)) from exc
        feedback.setProgress(60)
        spec = [("src_fid", QVariant.LongLong), ("cluster_id", QVariant.Int)]
        dest_id = write_features(self, parameters, self.OUTPUT, context, feedback, spec, [data.fids, labels],
                                 QgsWkbTypes.Point, crs, points=data.xy, progress=(60.0, 90.0))  # fmt: skip
        summaries = summarise(data.xy, labels)
        hulls = []
        for s in summaries:
            geom = QgsGeometry.fromWkt(s.hull.wkt)
            if geom.type() != QgsWkbTypes.PolygonGeometry:
                geom = geom.buffer(1.0, 8)  # a line or a point of coincident incidents: a thin visible outline
            hulls.append(geom)
        hull_spec = [("cluster_id", QVariant.Int), ("n", QVariant.Int), ("area_m2", QVariant.Double)]
        hull_values = [[s.cluster_id for s in summaries], [s.n for s in summaries], [s.area for s in summaries]]
        hulls_id = write_features(self, parameters, self.HULLS, context, feedback, hull_spec, hull_values,
                                  QgsWkbTypes.Polygon, crs, geometries=hulls, progress=(90.0, 100.0))  # fmt: skip
        noise = int((labels < 0).sum())
        sizes = sorted((s.n for s in summaries), reverse=True)[:5]
        summary = tr("{method}: {k} clusters, {noise} noise points of {n}; largest {sizes}; {params}.").format(
            method=method.upper(), k=len(summaries), noise=noise, n=len(labels), sizes=sizes, params=params
        )
        summary += skipped_text(data)
        log(feedback, summary)
        return {self.OUTPUT: dest_id, self.HULLS: hulls_id, self.SUMMARY: summary}
