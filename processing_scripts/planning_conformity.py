"""ioc:planning_conformity — parcels against planning zones: majority zone, share, conforming or not, and the
share of each zone's parcel area per land-use code."""

from __future__ import annotations

from qgis.core import (
    QgsFeatureRequest,
    QgsProcessing,
    QgsProcessingOutputString,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant
from shapely import wkb as shapely_wkb

from ioc_qgis_plugin.land.conformity import check_conformity, parse_allowed
from ioc_qgis_plugin.processing.common import (
    columnar_layer,
    log,
    skipped_text,
    style_output,
    tr,
    warn_skipped,
    write_features,
)
from ioc_qgis_plugin.processing.land_base import LandAlgorithm, read_polygons

STYLE = {
    1: ("#33a02c", "Conforming", "Phù hợp quy hoạch"),
    0: ("#e31a1c", "Not conforming", "Không phù hợp quy hoạch"),
    -1: ("#bdbdbd", "Outside the plan", "Ngoài quy hoạch"),
}


class PlanningConformity(LandAlgorithm):
    PARCELS, LAND_USE, ZONES, ZONE_ID, ALLOWED = "PARCELS", "LAND_USE", "ZONES", "ZONE_ID", "ALLOWED_USES"
    OUTPUT, SUMMARY = "OUTPUT", "SUMMARY"

    def name(self) -> str:
        return "planning_conformity"

    def displayName(self) -> str:
        return tr("Planning conformity of parcels")

    def shortHelpString(self) -> str:
        return tr(
            "Puts each parcel in the planning zone holding most of its area and checks its land-use code against "
            "the zone's allowed uses (a comma list such as 'ODT,TMD,DGT'). Output: the parcels with zone, share of "
            "the parcel in that zone, conforming (1), not conforming (0) or outside the plan (-1) and a reason; the "
            "summary gives each zone's parcel area per land-use code."
        )

    def initAlgorithm(self, config=None) -> None:  # noqa: ANN001
        poly = [QgsProcessing.TypeVectorPolygon]
        self.addParameter(QgsProcessingParameterFeatureSource(self.PARCELS, tr("Parcels"), poly))
        self.addParameter(
            QgsProcessingParameterField(self.LAND_USE, tr("Land-use code field"), "land_use", self.PARCELS)
        )
        self.addParameter(QgsProcessingParameterFeatureSource(self.ZONES, tr("Planning zones"), poly))
        self.addParameter(QgsProcessingParameterField(self.ZONE_ID, tr("Zone id field"), "zone_id", self.ZONES))
        self.addParameter(
            QgsProcessingParameterField(self.ALLOWED, tr("Allowed uses field"), "allowed_uses", self.ZONES)
        )
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Parcel conformity")))
        self.addOutput(QgsProcessingOutputString(self.SUMMARY, tr("Summary")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: ANN001, ANN201
        parcels = self.parameterAsSource(parameters, self.PARCELS, context)
        zones_src = self.parameterAsSource(parameters, self.ZONES, context)
        lu_field = self.parameterAsString(parameters, self.LAND_USE, context)
        zid_field = self.parameterAsString(parameters, self.ZONE_ID, context)
        allowed_field = self.parameterAsString(parameters, self.ALLOWED, context)
        data = read_polygons(
            parcels, context, feedback, (lu_field,), layer=columnar_layer(self, parameters, self.PARCELS, context)
        )
        warn_skipped(feedback, data)
        crs, fids = data.crs, data.fids
        # zones (a few hundred at most) in the parcels' analysis CRS
        zone_geoms, zone_ids, allowed = [], [], []
        for f in zones_src.getFeatures(QgsFeatureRequest().setDestinationCrs(crs, context.transformContext())):
            if f.hasGeometry():
                zone_geoms.append(shapely_wkb.loads(bytes(f.geometry().asWkb())))
                zone_ids.append(str(f[zid_field]))
                allowed.append(parse_allowed(str(f[allowed_field] or "")))
        feedback.setProgress(40)
        uses = [str(v or "") for v in data.attrs[lu_field]]
        res = check_conformity(data.geoms, uses, zone_geoms, allowed, zone_ids)
        spec = [
            ("src_fid", QVariant.LongLong),
            ("land_use", QVariant.String),
            ("zone_id", QVariant.String),
            ("zone_share", QVariant.Double),
            ("conforming", QVariant.Int),
            ("reason", QVariant.String),
        ]
        zone = res.zone_index.astype(int).tolist()
        columns = [
            fids,
            uses,
            [zone_ids[z] if z >= 0 else None for z in zone],
            [round(float(v), 4) for v in res.zone_share],
            [int(v) for v in res.conforming],
            [res.reason(i, uses[i], zone_ids, allowed) for i in range(len(fids))],
        ]
        if data.wkb is not None:  # read in the layer's own CRS: the parcels as read
            wkb = data.wkb
        else:  # reprojected for the analysis: the layer's own geometries for the output
            by_fid = {f.id(): f.geometry() for f in parcels.getFeatures()}
            wkb = [bytes(by_fid[fid].asWkb()) for fid in fids]
        dest = write_features(
            self,
            parameters,
            self.OUTPUT,
            context,
            feedback,
            spec,
            columns,
            QgsWkbTypes.MultiPolygon,
            parcels.sourceCrs(),
            wkb=wkb,
            progress=(60.0, 100.0),
        )
        style_output(context, dest, "conforming", STYLE)
        lines = []
        for s in res.zones:
            shares = ", ".join(f"{k} {100 * v:.1f}%" for k, v in s.shares().items())
            lines.append(
                f"{s.zone_id}: {s.parcels} parcels, {s.parcel_area:,.0f} m² ({shares}); "
                f"{s.nonconforming} not conforming ({s.nonconforming_area:,.0f} m²)"
            )
        summary = "\n".join(lines) + skipped_text(data)
        log(feedback, summary)
        return {self.OUTPUT: dest, self.SUMMARY: summary}
