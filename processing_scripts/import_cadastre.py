"""ioc:import_cadastre — import a cadastral file (SHP/GPKG/DGN/DXF) into the IOC GeoPackage, all or nothing."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
)

from ioc_qgis_plugin.core.crs import load_registry
from ioc_qgis_plugin.land.errors import CadastreError
from ioc_qgis_plugin.land.importer import import_cadastre
from ioc_qgis_plugin.land.mapping import FieldMapping, guess_mapping
from ioc_qgis_plugin.land.reader import read_cadastre
from ioc_qgis_plugin.processing.common import log, tr
from ioc_qgis_plugin.processing.land_base import LandAlgorithm

ENCODINGS = ["auto", "utf-8", "tcvn3", "vni", "cp1258"]
MODES = ["append", "replace_sheets"]
MAPPED = ("sheet_no", "parcel_no", "area_declared", "land_use", "address")


class ImportCadastre(LandAlgorithm):
    INPUT, STORE, PROVINCE, ENCODING, MODE = "INPUT", "STORE", "PROVINCE", "ENCODING", "MODE"
    IMPORTED, SUMMARY = "IMPORTED", "SUMMARY"

    def name(self) -> str:
        return "import_cadastre"

    def displayName(self) -> str:
        return tr("Import cadastral parcels")

    def shortHelpString(self) -> str:
        return tr(
            "Imports a cadastral file (Shapefile, GeoPackage, DGN v7 or DXF) into the parcels table of an IOC "
            "GeoPackage. Fields are mapped from the delivered names (SoHieuToBanDo, SoThuTuThua, DienTich, "
            "KyHieuMucDichSuDung, DiaChi; '=12' gives a constant); TCVN3/VNI text is converted to Unicode; the "
            "province gives the VN-2000 / TM-3 CRS when the file has none. Any problem (wrong CRS, damaged file, "
            "mixed geometries, unknown land-use codes) stops the import and nothing is written."
        )

    def initAlgorithm(self, config=None) -> None:  # noqa: ANN001
        self.addParameter(QgsProcessingParameterFile(self.INPUT, tr("Cadastral file")))
        self.addParameter(QgsProcessingParameterFile(self.STORE, tr("IOC GeoPackage"), extension="gpkg"))
        provinces = list(load_registry().values())
        self.addParameter(
            QgsProcessingParameterEnum(
                self.PROVINCE,
                tr("Province (used when the file has no CRS)"),
                [f"{p.code} - {p.name}" for p in provinces],
                defaultValue=next((i for i, p in enumerate(provinces) if p.code == "DN"), 0),
            )
        )
        for target in MAPPED:
            self.addParameter(
                QgsProcessingParameterString(
                    f"FIELD_{target.upper()}", tr("Field for {}").format(target), "", optional=True
                )
            )
        self.addParameter(QgsProcessingParameterEnum(self.ENCODING, tr("Text encoding"), ENCODINGS, defaultValue=0))
        self.addParameter(QgsProcessingParameterEnum(self.MODE, tr("Mode"), MODES, defaultValue=0))
        self.addOutput(QgsProcessingOutputNumber(self.IMPORTED, tr("Parcels imported")))
        self.addOutput(QgsProcessingOutputString(self.SUMMARY, tr("Summary")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: ANN001, ANN201
        from ioc_qgis_plugin.store.gpkg import GeoPackageStore

        path = self.parameterAsFile(parameters, self.INPUT, context)
        provinces = list(load_registry().values())
        try:
            names = read_cadastre(path).field_names
            mapping = guess_mapping(names, FieldMapping())
            for target in MAPPED:
                value = self.parameterAsString(parameters, f"FIELD_{target.upper()}", context)
                if value:
                    setattr(mapping, target, value)
            mapping.encoding = ENCODINGS[self.parameterAsEnum(parameters, self.ENCODING, context)]
            mapping.province = provinces[self.parameterAsEnum(parameters, self.PROVINCE, context)].code
            store = GeoPackageStore.open(self.parameterAsFile(parameters, self.STORE, context))
            try:
                result = import_cadastre(
                    path,
                    store,
                    mapping,
                    mode=MODES[self.parameterAsEnum(parameters, self.MODE, context)],
                    progress=lambda f, text: feedback.setProgress(100 * f),
                    cancelled=feedback.isCanceled,
                )
            finally:
                store.close()
        except CadastreError as exc:
            raise QgsProcessingException(str(exc)) from exc
        for w in result.warnings:
            feedback.pushWarning(w)
        log(feedback, result.summary())
        return {self.IMPORTED: result.imported, self.SUMMARY: result.summary()}
