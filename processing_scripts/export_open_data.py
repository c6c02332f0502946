"""ioc:export_open_data — anonymised export of IOC data to a file package, a CKAN portal or OGC API – Features."""

from __future__ import annotations

import os
from pathlib import Path

from qgis.core import (
    QgsApplication,
    QgsAuthMethodConfig,
    QgsProcessingException,
    QgsProcessingOutputString,
    QgsProcessingParameterAuthConfig,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ioc_qgis_plugin.export.package import DatasetInfo
from ioc_qgis_plugin.export.policy import ID_SECRET_ENV, LOCATION_METHODS, LocationRule, Policy
from ioc_qgis_plugin.export.publish import TARGETS, Cancelled, run_export
from ioc_qgis_plugin.export.select import Selection
from ioc_qgis_plugin.processing.common import IocAlgorithm, log, tr


def _token(authcfg: str) -> str:
    """API token from QGIS's auth manager (Basic: password, or an API-header config's first value)."""
    if not authcfg:
        return ""
    cfg = QgsAuthMethodConfig()
    if not QgsApplication.authManager().loadAuthenticationConfig(authcfg, cfg, True):
        raise QgsProcessingException(tr("Authentication configuration {} cannot be loaded").format(authcfg))
    token = cfg.config("password") or cfg.config("token") or ""
    if not token and cfg.configMap():
        token = next(iter(cfg.configMap().values()), "")
    return token


class ExportOpenData(IocAlgorithm):
    STORE, TABLES, START, END, TARGET = "STORE", "TABLES", "START", "END", "TARGET"
    NAME, TITLE, LOCATION, CELL_M = "NAME", "TITLE", "LOCATION", "CELL_M"
    CKAN_URL, AUTHCFG, OGC_DATA, OGC_CONFIG, OUTPUT, MESSAGE = (
        "CKAN_URL",
        "AUTHCFG",
        "OGC_DATA",
        "OGC_CONFIG",
        "OUTPUT",
        "MESSAGE",
    )

    def name(self) -> str:
        return "export_open_data"

    def displayName(self) -> str:
        return tr("Export open data (anonymised)")

    def group(self) -> str:
        return tr("Open data")

    def groupId(self) -> str:
        return "open_data"

    def shortHelpString(self) -> str:
        return tr(
            "Exports IOC tables from an IOC GeoPackage, anonymised (Decree 13/2023: reporter names, phones, e-mails "
            "dropped; phones, e-mails, ID numbers and names scrubbed from free text; report locations snapped to a "
            "grid or made k-anonymous), as a file package (GeoPackage, GeoJSON, CSV, DCAT-style metadata), and "
            "optionally publishes it to a CKAN portal (token from the QGIS authentication configuration) or a "
            "pygeoapi OGC API – Features server. Exporting the same data again gives identical files and uploads "
            "nothing new."
        )

    def initAlgorithm(self, config=None) -> None:  # noqa: ANN001
        self.addParameter(QgsProcessingParameterFile(self.STORE, tr("IOC GeoPackage"), extension="gpkg"))
        self.addParameter(QgsProcessingParameterString(self.TABLES, tr("Tables (comma separated)"), "field_reports"))
        self.addParameter(QgsProcessingParameterString(self.START, tr("From (ISO date)"), optional=True))
        self.addParameter(QgsProcessingParameterString(self.END, tr("Until (ISO date, exclusive)"), optional=True))
        self.addParameter(QgsProcessingParameterEnum(self.TARGET, tr("Target"), list(TARGETS), defaultValue=0))
        self.addParameter(QgsProcessingParameterString(self.NAME, tr("Dataset id"), "phan-anh-hien-truong"))
        self.addParameter(QgsProcessingParameterString(self.TITLE, tr("Title"), "Phản ánh hiện trường"))
        self.addParameter(
            QgsProcessingParameterEnum(self.LOCATION, tr("Report locations"), list(LOCATION_METHODS), defaultValue=0)
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.CELL_M, tr("Grid cell (m)"), QgsProcessingParameterNumber.Double, 250.0, minValue=1.0
            )
        )
        self.addParameter(QgsProcessingParameterString(self.CKAN_URL, tr("CKAN portal URL"), optional=True))
        self.addParameter(QgsProcessingParameterAuthConfig(self.AUTHCFG, tr("CKAN API token"), optional=True))
        self.addParameter(
            QgsProcessingParameterFile(
                self.OGC_DATA, tr("pygeoapi data folder"), QgsProcessingParameterFile.Folder, optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterFile(self.OGC_CONFIG, tr("pygeoapi configuration"), extension="yml", optional=True)
        )
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT, tr("Package folder")))
        self.addOutput(QgsProcessingOutputString(self.MESSAGE, tr("Result")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: ANN001, ANN201
        from ioc_qgis_plugin.store.gpkg import GeoPackageStore

        target = TARGETS[self.parameterAsEnum(parameters, self.TARGET, context)]
        opts: dict = {}
        if target == "ckan":
            opts = {
                "url": self.parameterAsString(parameters, self.CKAN_URL, context),
                "token": _token(self.parameterAsString(parameters, self.AUTHCFG, context)),
            }
            if not opts["url"]:
                raise QgsProcessingException(tr("Give the CKAN portal URL"))
        elif target == "ogcapi":
            opts = {
                "data_dir": self.parameterAsFile(parameters, self.OGC_DATA, context),
                "config": self.parameterAsFile(parameters, self.OGC_CONFIG, context),
            }
        out_dir = self.parameterAsString(parameters, self.OUTPUT, context)
        tables = [t.strip() for t in self.parameterAsString(parameters, self.TABLES, context).split(",") if t.strip()]
        method = LOCATION_METHODS[self.parameterAsEnum(parameters, self.LOCATION, context)]
        policy = Policy(
            location=LocationRule(method, self.parameterAsDouble(parameters, self.CELL_M, context)),
            id_secret=os.environ.get(ID_SECRET_ENV, ""),  # published ids are pseudonyms keyed by the city's secret
        )
        selection = Selection(
            tables=tables,
            start=self.parameterAsString(parameters, self.START, context) or None,
            end=self.parameterAsString(parameters, self.END, context) or None,
        )
        info = DatasetInfo(
            name=self.parameterAsString(parameters, self.NAME, context),
            title=self.parameterAsString(parameters, self.TITLE, context),
        )
        store = GeoPackageStore.open(self.parameterAsFile(parameters, self.STORE, context))
        try:
            result = run_export(
                store,
                selection,
                policy,
                info,
                Path(out_dir),
                target,
                opts,
                progress=lambda p, m: (feedback.setProgress(p), feedback.pushInfo(m)),
                is_cancelled=feedback.isCanceled,
            )
        except Cancelled as exc:
            raise QgsProcessingException(str(exc)) from exc
        except Exception as exc:  # noqa: BLE001 - shown to the user as a Processing error, never a traceback
            raise QgsProcessingException(f"{type(exc).__name__}: {exc}") from exc
        finally:
            store.close()
        log(feedback, result.message)
        return {self.OUTPUT: out_dir, self.MESSAGE: result.message}
