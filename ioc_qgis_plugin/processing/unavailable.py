"""Stand-in for an IOC algorithm whose script needs a Python module this QGIS does not have (e.g. SciPy on a
Windows install): it keeps its id and place in the toolbox, cannot run, and says which module to install and how."""

from __future__ import annotations

from qgis.core import QgsProcessingAlgorithm, QgsProcessingException
from qgis.PyQt.QtCore import QCoreApplication

from ..core.dependencies import missing_message


def tr(text: str) -> str:
    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    return QCoreApplication.translate("@default", text)


class UnavailableAlgorithm(QgsProcessingAlgorithm):
    def __init__(self, name: str, module: str) -> None:
        super().__init__()
        self._name = name
        self.module = module

    def createInstance(self) -> UnavailableAlgorithm:  # noqa: N802
        return UnavailableAlgorithm(self._name, self.module)

    def name(self) -> str:
        return self._name

    def displayName(self) -> str:  # noqa: N802
        return tr("{0} (needs {1})").format(self._name.replace("_", " ").capitalize(), self.module)

    def group(self) -> str:
        return tr("Unavailable: missing Python modules")

    def groupId(self) -> str:  # noqa: N802
        return "unavailable"

    def shortHelpString(self) -> str:  # noqa: N802
        return self.message()

    def message(self) -> str:
        return missing_message(self.module, tr("The algorithm ioc:{0}").format(self._name))

    def flags(self):  # noqa: ANN201
        return super().flags() | QgsProcessingAlgorithm.FlagHideFromModeler

    def canExecute(self):  # noqa: ANN201, N802
        return False, self.message()

    def initAlgorithm(self, config=None) -> None:  # noqa: ANN001, N802
        pass

    def processAlgorithm(self, parameters, context, feedback):  # noqa: ANN001, ANN201, N802
        raise QgsProcessingException(self.message())
