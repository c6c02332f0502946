"""ioc:light_outages — dark street lights grouped by cabinet/circuit: probable supply fault vs single-lamp fault."""

from __future__ import annotations

import numpy as np
from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterNumber,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from ioc_qgis_plugin.lights.outages import OUTAGE_CLASSES, outage_clusters
from ioc_qgis_plugin.processing.common import (
    analysis_crs,
    check_cancel,
    columnar_layer,
    is_vietnamese,
    log,
    rows_to_columns,
    style_output,
    write_features,
)
from ioc_qgis_plugin.processing.lights_base import LightsAlgorithm, read_lights, tr

CLASS_STYLE = {
    "cabinet_supply": ("#7b3294", "Cabinet supply fault", "Mất nguồn tủ điện"),
    "circuit_supply": ("#c2a5cf", "Circuit supply fault", "Mất nguồn lộ/tuyến"),
    "single_lamp": ("#e66101", "Single-lamp fault", "Hỏng đèn đơn lẻ"),
}


class LightOutages(LightsAlgorithm):
    INPUT = "INPUT"
    NIGHT = "NIGHT"
    SHARE = "SUPPLY_SHARE"
    MIN_DARK = "MIN_DARK"
    OUTPUT = "OUTPUT"
    CIRCUITS = "CIRCUITS"
    SUMMARY = "SUMMARY"

    def name(self) -> str:
        return "light_outages"

    def displayName(self) -> str:
        return tr("Street light outages by cabinet/circuit")

    def shortHelpString(self) -> str:
        return tr(
            "Finds street lights that give no light where they should — a lamp, relay or supply fault, or 'off' when "
            "judged at night — and groups them by circuit and cabinet.\n"
            "When at least the given share of a circuit's lamps (and the minimum number) is dark, or a lamp reports "
            "supply loss, the circuit probably lost supply; when all (or at least two and half) of a cabinet's "
            "circuits did, the cabinet. Other dark lamps are single-lamp faults.\n"
            "Input: the IOC street_lights layer (fields state, light_level, fault, cabinet_id, circuit_id).\n"
            "Outputs: dark lights with outage_class, and one point per affected circuit (centre of its dark lamps).\n"
            "Đèn mất sáng theo lộ và tủ điện: mất nguồn lộ/tủ hay hỏng đèn đơn lẻ."
        )

    def initAlgorithm(self, config=None) -> None:  # noqa: ANN001
        self.addParameter(
            QgsProcessingParameterFeatureSource(self.INPUT, tr("Street lights layer"), [QgsProcessing.TypeVectorPoint])
        )
        self.addParameter(QgsProcessingParameterBoolean(self.NIGHT, tr("Count 'off' lamps as dark (night)"), True))
        self.addParameter(
            QgsProcessingParameterNumber(
                self.SHARE,
                tr("Share of dark lamps that means a supply fault"),
                QgsProcessingParameterNumber.Double,
                0.5,
                minValue=0.05,
                maxValue=1.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.MIN_DARK,
                tr("Minimum dark lamps for a supply fault"),
                QgsProcessingParameterNumber.Integer,
                2,
                minValue=1,
            )
        )
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Dark lights")))
        self.addParameter(QgsProcessingParameterFeatureSink(self.CIRCUITS, tr("Circuits with outages")))
        self.addOutput(QgsProcessingOutputString(self.SUMMARY, tr("Summary")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: ANN001, ANN201
        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(tr("Invalid input layer"))
        crs = source.sourceCrs() if source.sourceCrs().isValid() else analysis_crs(source, None)
        data = read_lights(source, context, feedback, crs, layer=columnar_layer(self, parameters, self.INPUT, context))
        check_cancel(feedback)
        a = data.attrs
        res = outage_clusters(
            a["cabinet_id"],
            a["circuit_id"],
            a["state"],
            a["light_level"],
            a["fault"],
            night=self.parameterAsBoolean(parameters, self.NIGHT, context),
            supply_share=self.parameterAsDouble(parameters, self.SHARE, context),
            min_dark=self.parameterAsInt(parameters, self.MIN_DARK, context),
        )
        feedback.setProgress(60)
        vi = is_vietnamese()
        spec = [
            ("light_id", QVariant.String),
            ("cabinet_id", QVariant.String),
            ("circuit_id", QVariant.String),
            ("ward_id", QVariant.String),
            ("state", QVariant.String),
            ("fault", QVariant.String),
            ("outage_class", QVariant.String),
            ("outage_label", QVariant.String),
        ]
        sel = np.flatnonzero(res.dark)
        labels = {k: v[0 if vi else 1] for k, v in OUTAGE_CLASSES.items()}
        classes = res.light_class[sel]
        columns = [a[k][sel] for k in ("light_id", "cabinet_id", "circuit_id", "ward_id", "state", "fault")]
        columns += [classes, [labels[c] for c in classes.tolist()]]
        dest = write_features(
            self,
            parameters,
            self.OUTPUT,
            context,
            feedback,
            spec,
            columns,
            QgsWkbTypes.Point,
            crs,
            points=data.xy[sel],
            progress=(60.0, 85.0),
        )
        check_cancel(feedback)
        cspec = [
            ("cabinet_id", QVariant.String),
            ("circuit_id", QVariant.String),
            ("lamps", QVariant.Int),
            ("dark", QVariant.Int),
            ("dark_share", QVariant.Double),
            ("outage_class", QVariant.String),
            ("outage_label", QVariant.String),
        ]
        crows, centres = [], []
        for c in res.circuits:
            members = c["members"][res.dark[c["members"]]]
            centres.append(data.xy[members].mean(axis=0))
            crows.append(
                [
                    c["cabinet_id"],
                    c["circuit_id"],
                    c["lamps"],
                    c["dark"],
                    round(c["dark_share"], 3),
                    c["outage_class"],
                    labels[c["outage_class"]],
                ]
            )
        cdest = write_features(
            self,
            parameters,
            self.CIRCUITS,
            context,
            feedback,
            cspec,
            rows_to_columns(crows, len(cspec)),
            QgsWkbTypes.Point,
            crs,
            points=np.array(centres, dtype=np.float64).reshape(-1, 2),
            progress=(85.0, 100.0),
        )
        feedback.setProgress(100)
        counts = {k: int(np.count_nonzero(res.light_class == k)) for k in OUTAGE_CLASSES}
        circuits = {k: sum(1 for c in res.circuits if c["outage_class"] == k) for k in OUTAGE_CLASSES}
        summary = (
            f"{int(res.dark.sum())} / {len(res.dark)} lights dark; "
            f"cabinet supply faults: {circuits['cabinet_supply']} circuits ({counts['cabinet_supply']} lights); "
            f"circuit supply faults: {circuits['circuit_supply']} ({counts['circuit_supply']} lights); "
            f"single-lamp faults: {counts['single_lamp']}"
        )
        log(feedback, summary)
        style_output(context, dest, "outage_class", CLASS_STYLE)
        style_output(context, cdest, "outage_class", CLASS_STYLE)
        return {self.OUTPUT: dest, self.CIRCUITS: cdest, self.SUMMARY: summary}
