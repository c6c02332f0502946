"""ioc:report_statistics — monthly field-report statistics per ward and category: a table and a CSV."""

from __future__ import annotations

import re

from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputString,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from ioc_qgis_plugin.core.report_stats import COUNT_FIELDS, report_statistics
from ioc_qgis_plugin.core.sla import SlaRules
from ioc_qgis_plugin.processing.common import (
    IocAlgorithm,
    columnar_layer,
    log,
    read_features,
    rows_to_columns,
    tr,
    write_features,
)

_MONTH = re.compile(r"^\d{4}-\d{2}$")
_TEXT = ("ward_id", "service_code", "priority", "status")
_TIMES = ("requested_at", "updated_at", "resolved_at", "due_at")


class ReportStatistics(IocAlgorithm):
    INPUT = "INPUT"
    MONTH_FROM = "MONTH_FROM"
    MONTH_TO = "MONTH_TO"
    SLA_RULES = "SLA_RULES"
    OUTPUT = "OUTPUT"
    OUTPUT_CSV = "OUTPUT_CSV"
    SUMMARY = "SUMMARY"

    def name(self) -> str:
        return "report_statistics"

    def displayName(self) -> str:
        return tr("Field report statistics by month, ward and category")

    def group(self) -> str:
        return tr("Field reports")

    def groupId(self) -> str:
        return "field_reports"

    def shortHelpString(self) -> str:
        return tr(
            "For each month (city time, Asia/Ho_Chi_Minh) and each ward and category of the field reports layer "
            "(fields ward_id, service_code, priority, status, requested_at, updated_at, resolved_at, due_at): "
            "received, carried over from the previous month, resolved on time, resolved late, returned "
            "(rejected/duplicate) and unresolved at the month's end, plus the on-time rate. "
            "received + carried_over = resolved_on_time + resolved_late + returned + unresolved. "
            "Months are YYYY-MM (empty: the whole period). An SLA rules file (JSON: rules [{category, priority, "
            "hours}], default_hours) recomputes every due time; without it due_at is used and missing ones come "
            "from the built-in rules (2 h urgent, 8 h or 24 h by category). Writes a table and a CSV (UTF-8)."
        )

    def initAlgorithm(self, config=None) -> None:  # noqa: ANN001
        self.addParameter(
            QgsProcessingParameterFeatureSource(self.INPUT, tr("Field reports"), [QgsProcessing.TypeVector])
        )
        self.addParameter(QgsProcessingParameterString(self.MONTH_FROM, tr("First month (YYYY-MM)"), optional=True))
        self.addParameter(QgsProcessingParameterString(self.MONTH_TO, tr("Last month (YYYY-MM)"), optional=True))
        self.addParameter(
            QgsProcessingParameterFile(
                self.SLA_RULES, tr("SLA rules file (JSON)"), extension="json", optional=True
            )
        )  # fmt: skip
        self.addParameter(
            QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Report statistics"), QgsProcessing.TypeVector)
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.OUTPUT_CSV, tr("Report statistics (CSV)"), "CSV files (*.csv)", optional=True
            )
        )
        self.addOutput(QgsProcessingOutputString(self.SUMMARY, tr("Summary")))

    def _month(self, parameters, name: str, context) -> str:  # noqa: ANN001
        value = (self.parameterAsString(parameters, name, context) or "").strip()
        if value and not _MONTH.match(value):
            raise QgsProcessingException(tr("{} must look like 2024-05, not {!r}").format(name, value))
        return value

    def processAlgorithm(self, parameters, context, feedback):  # noqa: ANN001, ANN201
        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(tr("Invalid input layer"))
        names = source.fields().names()
        missing = [n for n in ("service_code", "status", "requested_at") if n not in names]
        if missing:
            raise QgsProcessingException(tr("Field reports lack the fields: {}").format(", ".join(missing)))
        month_from = self._month(parameters, self.MONTH_FROM, context)
        month_to = self._month(parameters, self.MONTH_TO, context)
        if month_from and month_to and month_to < month_from:
            raise QgsProcessingException(tr("The last month is before the first month."))
        rules_path = self.parameterAsFile(parameters, self.SLA_RULES, context)
        try:
            rules = SlaRules.from_json(rules_path) if rules_path else None
        except (OSError, ValueError, KeyError) as exc:
            raise QgsProcessingException(tr("Cannot read the SLA rules file {}: {}").format(rules_path, exc)) from exc

        # Attributes only: reports without a location still count.
        text = [n for n in _TEXT if n in names]
        times = [n for n in _TIMES if n in names]
        data = read_features(
            source, context, feedback, source.sourceCrs(), text=text, times=times, progress=(0.0, 60.0),
            layer=columnar_layer(self, parameters, self.INPUT, context), need_geometry=False,
        )  # fmt: skip
        cols = {n: data.attrs[n] for n in text + times}
        stats = report_statistics(cols, month_from or None, month_to or None, rules)
        feedback.setProgress(80)

        spec = (
            [("month", QVariant.String), ("ward_id", QVariant.String), ("service_code", QVariant.String)]
            + [(k, QVariant.Int) for k in COUNT_FIELDS]
            + [("on_time_rate", QVariant.Double)]
        )
        rows = [list(row.values()) for row in stats.rows()]
        dest_id = write_features(
            self,
            parameters,
            self.OUTPUT,
            context,
            feedback,
            spec,
            rows_to_columns(rows, len(spec)),
            QgsWkbTypes.NoGeometry,
            progress=(80.0, 90.0),
        )
        out = {self.OUTPUT: dest_id}
        csv_path = self.parameterAsFileOutput(parameters, self.OUTPUT_CSV, context)
        if csv_path:
            out[self.OUTPUT_CSV] = str(stats.to_csv(csv_path))
        totals = {k: int(v.sum()) for k, v in stats.counts.items()}
        summary = tr(
            "Report statistics: {rows} rows ({months} months); received {received}, resolved on time "
            "{resolved_on_time}, late {resolved_late}, returned {returned}."
        ).format(rows=len(stats), months=len(set(stats.month.tolist())), **totals)
        log(feedback, summary)
        out[self.SUMMARY] = summary
        return out
