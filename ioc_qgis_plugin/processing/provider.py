"""Processing provider "IOC": registers every algorithm found in processing_scripts/ (one per file).

Scripts are imported by file path, so the same code works from a source checkout (processing_scripts/ beside the
package) and from an installed plugin (processing_scripts/ inside it). A script that fails to import is logged
and skipped: one broken file must not take the whole toolbox down. A script that needs an optional Python module
this QGIS lacks (core.dependencies) is listed as an unavailable stand-in that says what to install.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Optional

from qgis.core import Qgis, QgsMessageLog, QgsProcessingAlgorithm, QgsProcessingProvider
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon

from ..core.dependencies import missing_module_of
from ..core.paths import PACKAGE_DIR, data_dir

LOG_TAG = "IOC"
_MODULE_PREFIX = "ioc_processing_scripts"


def scripts_dir() -> Optional[Path]:
    try:
        return data_dir("processing_scripts")
    except FileNotFoundError:
        return None


def load_script(path: Path) -> ModuleType:
    """Import one script file under a private module name (re-imported on every refresh)."""
    name = f"{_MODULE_PREFIX}.{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look the module up by name
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def algorithm_classes(module: ModuleType) -> list[type]:
    """Concrete QgsProcessingAlgorithm subclasses defined in `module` itself (not imported base classes)."""
    found = []
    for _, obj in inspect.getmembers(module, inspect.isclass):
        if (
            issubclass(obj, QgsProcessingAlgorithm)
            and obj.__module__ == module.__name__
            and not obj.__name__.startswith("_")
            and not obj.__dict__.get("abstract", False)
        ):
            found.append(obj)
    return found


class IocProcessingProvider(QgsProcessingProvider):
    """Provider id `ioc`; algorithm ids are `ioc:<name>`."""

    def __init__(self) -> None:
        super().__init__()
        self.failed: dict[str, str] = {}  # script file name -> error, for the settings/about page and tests
        self.missing: dict[str, str] = {}  # algorithm name -> optional module it needs and this QGIS lacks

    def id(self) -> str:
        return "ioc"

    def name(self) -> str:
        return "IOC"

    def longName(self) -> str:
        return QCoreApplication.translate("IocAlgorithms", "IOC incident analytics")

    def icon(self) -> QIcon:
        for candidate in (PACKAGE_DIR / "icons" / "ioc.svg", PACKAGE_DIR.parent / "icons" / "ioc.svg"):
            if candidate.is_file():
                return QIcon(str(candidate))
        return super().icon()

    def loadAlgorithms(self) -> None:
        self.failed = {}
        self.missing = {}
        folder = scripts_dir()
        if folder is None:
            QgsMessageLog.logMessage("processing_scripts folder not found; no IOC algorithms", LOG_TAG, Qgis.Warning)
            return
        for path in sorted(folder.glob("*.py")):
            if path.name.startswith("_"):
                continue
            try:
                module = load_script(path)
                classes = algorithm_classes(module)
                for cls in classes:
                    self.addAlgorithm(cls())
                if not classes:
                    QgsMessageLog.logMessage(f"{path.name}: no algorithm class found", LOG_TAG, Qgis.Info)
            except Exception as exc:  # noqa: BLE001 - any error in one script must only skip that script
                self.failed[path.name] = f"{type(exc).__name__}: {exc}"
                module_name = missing_module_of(exc)
                if module_name:
                    from .unavailable import UnavailableAlgorithm

                    self.missing[path.stem] = module_name
                    self.addAlgorithm(UnavailableAlgorithm(path.stem, module_name))
                    QgsMessageLog.logMessage(
                        f"IOC algorithm {path.stem} unavailable: it needs the Python module '{module_name}'",
                        LOG_TAG,
                        Qgis.Warning,
                    )
                    continue
                QgsMessageLog.logMessage(
                    f"IOC Processing script {path.name} skipped: {exc}\n{traceback.format_exc()}",
                    LOG_TAG,
                    Qgis.Warning,
                )
