"""Optional Python modules: which features need which, whether they are present, and how to install them.

QGIS on Debian brings what the Makefile installs, but a Windows QGIS (OSGeo4W or the standalone installer, which is
built from the same packages) may lack OpenCV, scikit-learn or defusedxml. The plugin must still load: each feature
that needs a missing module is disabled and says which module, and how to install it on each platform.

Windows package names come from the OSGeo4W package recipes (qgis-ltr / qgis-ltr-full and python3-*); OpenCV has no
OSGeo4W package, so it comes from pip inside the OSGeo4W Shell (the headless wheel: no second Qt in QGIS).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class OptionalModule:
    module: str  # import name
    label: str  # what a person calls it
    features: str  # the features that need it (English; translated by the GUI)
    debian: str  # Debian/Ubuntu package
    osgeo4w: str  # how to get it in a Windows QGIS (OSGeo4W Shell)
    fallback: str = ""  # what happens without it, when the feature still works in a reduced way


OPTIONAL: tuple[OptionalModule, ...] = (
    OptionalModule(
        "cv2",
        "OpenCV",
        "camera live view, camera grid, snapshots, replay video export",
        "python3-opencv",
        "python -m pip install opencv-python-headless",
    ),
    OptionalModule(
        "scipy",
        "SciPy",
        "Processing analytics: hot spots (Gi*), optimized and emerging hot spots, kernel density, clusters, "
        "camera coverage gaps; light outage groups",
        "python3-scipy",
        "OSGeo4W Setup → package python3-scipy (included in qgis-ltr-full)",
    ),
    OptionalModule(
        "sklearn",
        "scikit-learn",
        "density clusters (DBSCAN; HDBSCAN with scikit-learn ≥ 1.3)",
        "python3-sklearn",
        "OSGeo4W Setup → package python3-scikit-learn",
    ),
    OptionalModule(
        "psycopg2",
        "psycopg2",
        "city database (PostGIS) store and its administration",
        "python3-psycopg2",
        "OSGeo4W Setup → package python3-psycopg2 (a dependency of every QGIS package)",
    ),
    OptionalModule(
        "defusedxml",
        "defusedxml",
        "hardened parsing of Open311 XML answers",
        "python3-defusedxml",
        "OSGeo4W Setup → package python3-defusedxml",
        fallback="Python's own XML parser is used (expat ≥ 2.4 limits entity expansion)",
    ),
    OptionalModule(
        "requests",
        "requests",
        "Open311 report sync, street-light (SensorThings) refresh, CKAN / OGC API publishing, ONVIF cameras",
        "python3-requests",
        "OSGeo4W Setup → package python3-requests (a dependency of every QGIS package)",
    ),
    OptionalModule(
        "yaml",
        "PyYAML",
        "publishing to an OGC API – Features (pygeoapi) portal",
        "python3-yaml",
        "OSGeo4W Setup → package python3-pyyaml (a dependency of every QGIS package)",
    ),
)
BY_MODULE = {m.module: m for m in OPTIONAL}


class MissingDependency(RuntimeError):
    """A feature was asked for whose Python module is not installed; the message says how to install it."""

    def __init__(self, module: str, feature: str = "") -> None:
        self.module = module
        self.feature = feature
        super().__init__(missing_message(module, feature))


def missing_message(module: str, feature: str = "") -> str:
    """One paragraph naming the module and how to install it on Windows and on Debian/Ubuntu."""
    info = BY_MODULE.get(module)
    what = feature or (info.features if info else "this feature")
    if info is None:
        return f"{what} needs the Python module '{module}', which is not installed."
    return (
        f"{what[:1].upper()}{what[1:]} needs the Python module '{module}' ({info.label}), which is not installed. "
        f"Windows (OSGeo4W Shell, as administrator): {info.osgeo4w}. "
        f"Debian/Ubuntu: sudo apt install {info.debian}. Then restart QGIS."
    )


def is_available(module: str) -> bool:
    """True when `module` imports (a present but broken install, e.g. built for another numpy, counts as missing)."""
    try:
        importlib.import_module(module)
    except Exception:  # noqa: BLE001 - ImportError, or a compiled module failing for another reason
        return False
    return True


def require(module: str, feature: str = "") -> None:
    """Raise MissingDependency (a RuntimeError with install steps) unless `module` imports."""
    if not is_available(module):
        raise MissingDependency(module, feature)


def missing_module_of(exc: BaseException) -> str:
    """The optional module an ImportError is about ('' when it is about something else)."""
    while exc is not None:
        if isinstance(exc, MissingDependency):
            return exc.module
        if isinstance(exc, ImportError):
            top = (getattr(exc, "name", None) or "").split(".")[0]
            if top in BY_MODULE:
                return top
        exc = exc.__cause__ or exc.__context__
    return ""


@dataclass(frozen=True)
class Status:
    info: OptionalModule
    present: bool
    version: str


def status() -> list[Status]:
    """Every optional module with whether it imports and its version."""
    out = []
    for info in OPTIONAL:
        present = is_available(info.module)
        version = ""
        if present:
            mod = importlib.import_module(info.module)
            version = str(getattr(mod, "__version__", "") or "").split(" ")[0]  # psycopg2 adds build flags
        out.append(Status(info, present, version))
    return out
