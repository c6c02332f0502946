"""Adds the IOC layer group to the project from a store: styled layers, analysis CRS, temporal settings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Callable, Optional

from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsDatumTransform,
    QgsExpressionContextUtils,
    QgsGeometryGeneratorSymbolLayer,
    QgsLayerTreeGroup,
    QgsLegendSymbolItem,
    QgsMapLayerLegend,
    QgsProject,
    QgsSymbolLegendNode,
    QgsVectorLayer,
    QgsVectorLayerTemporalProperties,
)
from qgis.PyQt.QtCore import QCoreApplication, QObject, QTimer, pyqtSignal

from ..core.crs import load_registry
from ..core.paths import styles_dir
from ..store.base import IocStore
from .messages import log
from .settings import IocSettings
from .store_opener import qgis_layer_uri

GROUP_NAME = "IOC"
# Drawing order, top first.
LAYER_ORDER = ("cameras", "field_reports", "street_lights", "planning_zones", "parcels", "wards")
#: layers kept in update mode: the panel changes the reports' subset string ("Filter map"), which reopened the
#: GeoPackage twice on the GUI thread otherwise. (The cameras layer, written by camera health each round, gained
#: only ~3 ms per write and the A/B under load could not tell it from noise, so it stays as QGIS opens it.)
UPDATE_MODE_TABLES = ("field_reports",)
TIME_FIELDS = {"field_reports": "requested_at", "street_lights": "last_report", "cameras": "last_seen"}


def tr(text: str) -> str:
    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    return QCoreApplication.translate("@default", text)


def ioc_group(project: QgsProject) -> Optional[QgsLayerTreeGroup]:
    return project.layerTreeRoot().findGroup(GROUP_NAME)


@dataclass(frozen=True)
class LayerSpec:
    table: str
    title: str
    uri: str
    provider: str
    qml: Optional[str]  # our default style, used when the store carries none of its own
    lang: str = "vi"  # the UI language: layer names and legend entries are shown in it alone


def one_language(text: str, lang: str) -> str:
    """'Quá hạn · Overdue' → 'Quá hạn' (vi) or 'Overdue' (en): the schema and our styles carry both."""
    if " · " not in text:
        return text
    vi, en = text.split(" · ", 1)
    return vi if lang == "vi" else en


def _legend_in(layer: QgsVectorLayer, lang: str) -> None:
    renderer = layer.renderer()
    if renderer is None:
        return
    if hasattr(renderer, "rootRule"):
        for rule in renderer.rootRule().descendants():
            rule.setLabel(one_language(rule.label(), lang))
    elif hasattr(renderer, "categories"):
        for i, cat in enumerate(renderer.categories()):
            renderer.updateCategoryLabel(i, one_language(cat.label(), lang))


class MarkerLegend(QgsMapLayerLegend):
    """The layer's legend with only the marker part of each symbol.

    A camera symbol is its icon plus a field-of-view wedge drawn by a geometry generator; QGIS previews such a fill
    at the legend's maximum size (~20 mm), so the legend entries were huge. The map still draws the wedge.
    """

    def createLayerTreeModelLegendNodes(self, node_layer):  # noqa: ANN001, ANN201, N802 - QGIS's virtual
        from qgis.PyQt import sip

        layer = node_layer.layer()
        renderer = layer.renderer() if layer is not None else None
        nodes = []
        for item in renderer.legendSymbolItems() if renderer is not None else []:
            symbol = item.symbol().clone() if item.symbol() is not None else None
            if symbol is not None:
                for i in reversed(range(symbol.symbolLayerCount())):
                    generated = isinstance(symbol.symbolLayer(i), QgsGeometryGeneratorSymbolLayer)
                    if generated and symbol.symbolLayerCount() > 1:
                        symbol.deleteSymbolLayer(i)
            entry = QgsLegendSymbolItem(
                symbol,
                item.label(),
                item.ruleKey(),
                item.isCheckable(),
                item.scaleMinDenom(),
                item.scaleMaxDenom(),
                item.level(),
                item.parentRuleKey(),
            )
            node = QgsSymbolLegendNode(node_layer, entry)
            sip.transferto(node, None)  # the layer tree model owns the nodes
            nodes.append(node)
        return nodes


def _has_generated_fill(layer: QgsVectorLayer) -> bool:
    renderer = layer.renderer()
    if renderer is None:
        return False
    for item in renderer.legendSymbolItems():
        sym = item.symbol()
        if sym is not None and any(isinstance(sl, QgsGeometryGeneratorSymbolLayer) for sl in sym.symbolLayers()):
            return True
    return False


def ui_lang(settings: IocSettings) -> str:
    locale = settings.language or QgsApplication.locale() or ""
    return "vi" if str(locale).startswith("vi") else "en"


def layer_specs(store: IocStore, settings: IocSettings) -> list[LayerSpec]:
    """What to load (cheap: one query for the store's own styles); building the layers can then run anywhere."""
    styled = store.styled_tables()
    specs = []
    for table in LAYER_ORDER:
        uri, provider = qgis_layer_uri(store, table, settings)
        qml = styles_dir() / f"{table}.qml"
        lang = ui_lang(settings)
        specs.append(
            LayerSpec(
                table,
                one_language(store.schema.table(table).title, lang),
                uri,
                provider,
                None if table in styled or not qml.exists() else str(qml),
                lang,
            )
        )
    return specs


def open_layer(spec: LayerSpec) -> Optional[QgsVectorLayer]:
    """The layer without any style yet (GUI thread only: see StepwiseLayerLoader)."""
    # no default style here: style_layer() loads the one wanted (loading it twice cost ~10 ms per layer)
    options = QgsVectorLayer.LayerOptions(QgsProject.instance().transformContext(), False, False)
    layer = QgsVectorLayer(spec.uri, spec.title, spec.provider, options)
    if not layer.isValid():
        log(f"layer {spec.table} could not be loaded ({spec.provider})", "warning")
        return None
    return layer


def keeps_update_mode(spec: LayerSpec) -> bool:
    """QGIS's OGR provider recomputes its capabilities on every subset-string change, reopening the GeoPackage in
    update mode and back again when it is not in update mode already: two full opens (15-30 ms, far more on a busy
    machine) on the GUI thread per filter change. Kept in update mode once (enterUpdateMode), a filter change is
    ~0.4 ms; nothing is written by this, and the handle closes with the layer."""
    return spec.table in UPDATE_MODE_TABLES and spec.provider == "ogr"


def style_layer(layer: QgsVectorLayer, spec: LayerSpec) -> None:
    """The store's own default style when it has one (a city may have customised it), else ours."""
    if spec.qml:
        layer.loadNamedStyle(spec.qml)
    else:
        layer.loadDefaultStyle()
    _legend_in(layer, spec.lang)
    if _has_generated_fill(layer):
        layer.setLegend(MarkerLegend())
    # after the style: loading one replaces the layer's custom properties and temporal settings
    layer.setCustomProperty("ioc/table", spec.table)
    _set_temporal(layer, TIME_FIELDS.get(spec.table))


def build_layers(specs: list[LayerSpec]) -> dict[str, QgsVectorLayer]:
    layers: dict[str, QgsVectorLayer] = {}
    for spec in specs:
        layer = open_layer(spec)
        if layer is not None:
            if keeps_update_mode(spec):
                layer.dataProvider().enterUpdateMode()
            style_layer(layer, spec)
            layers[spec.table] = layer
    return layers


def install_layers(
    layers: dict[str, QgsVectorLayer],
    analysis_crs: str,
    project: Optional[QgsProject] = None,
) -> dict[str, QgsVectorLayer]:
    """(Re)build the IOC group from built layers, on the GUI thread."""
    project = project or QgsProject.instance()
    remove_ioc_layers(project)
    QgsExpressionContextUtils.setProjectVariable(project, "ioc_analysis_crs", analysis_crs)
    group = project.layerTreeRoot().insertGroup(0, GROUP_NAME)
    for table in LAYER_ORDER:
        if table in layers:
            project.addMapLayer(layers[table], False)
            group.addLayer(layers[table])
    crs = QgsCoordinateReferenceSystem(analysis_crs)
    ours = {x.id() for x in layers.values()}
    others = [lyr for lyr in project.mapLayers().values() if lyr.id() not in ours]
    # A fresh project works in the province's VN-2000 / TM-3 metres, with the official shift preset so QGIS
    # never stops to ask which datum transformation to use.
    if crs.isValid() and not others and prefer_registry_transform(project, crs):
        project.setCrs(crs)
        # The desktop application adopts the first added layer's CRS for an empty project in a queued handler;
        # set ours again once that has run.
        QTimer.singleShot(0, lambda: project.setCrs(crs))
    return layers


_REGISTRY_OPERATIONS: dict[str, str] = {}


def registry_operation(crs: QgsCoordinateReferenceSystem) -> str:
    """Among PROJ's WGS 84 → VN-2000 operations, the one with the registry's 7 parameters ("" if none).

    A PROJ database search (5-10 ms of CPU, tens of ms on a busy machine) whose answer depends only on the CRS
    and the PROJ database: looked up once per CRS per session."""
    key = crs.toWkt() or crs.authid()
    if key not in _REGISTRY_OPERATIONS:
        _REGISTRY_OPERATIONS[key] = _search_registry_operation(crs)
    return _REGISTRY_OPERATIONS[key]


def _search_registry_operation(crs: QgsCoordinateReferenceSystem) -> str:
    wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
    dx = next(iter(load_registry().values())).towgs84[0]
    for op in QgsDatumTransform.operations(wgs84, crs):
        if op.isAvailable and f"+x={dx!r}" in op.proj:
            return op.proj
    return ""


def prefer_registry_transform(project: QgsProject, crs: QgsCoordinateReferenceSystem) -> bool:
    """Preset the registry's WGS 84 → VN-2000 operation in the project."""
    proj = registry_operation(crs)
    if proj:
        wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
        context = project.transformContext()
        context.addCoordinateOperation(wgs84, crs, proj)
        project.setTransformContext(context)
        return True
    log(f"no WGS 84 → {crs.authid()} operation with the registry's parameters; keeping the project CRS", "warning")
    return False


def analysis_crs_of(store: IocStore) -> str:
    return store.get_meta("analysis_crs", "EPSG:5899") or "EPSG:5899"


def add_ioc_layers(
    store: IocStore, settings: IocSettings, project: Optional[QgsProject] = None
) -> dict[str, QgsVectorLayer]:
    """Synchronous variant (scripts, tests): build and install in one go."""
    return install_layers(build_layers(layer_specs(store, settings)), analysis_crs_of(store), project)


def _set_temporal(layer: QgsVectorLayer, field: Optional[str]) -> None:
    if not field or layer.fields().indexOf(field) < 0:
        return
    props = layer.temporalProperties()
    props.setMode(QgsVectorLayerTemporalProperties.ModeFeatureDateTimeInstantFromField)
    props.setStartField(field)
    props.setIsActive(False)  # planners switch it on in the Temporal Controller when they replay


def remove_ioc_layers(project: Optional[QgsProject] = None) -> None:
    project = project or QgsProject.instance()
    group = ioc_group(project)
    if group is None:
        return
    ids = [node.layerId() for node in group.findLayers()]
    project.removeMapLayers(ids)
    project.layerTreeRoot().removeChildNode(group)


def ioc_layer(table: str, project: Optional[QgsProject] = None) -> Optional[QgsVectorLayer]:
    project = project or QgsProject.instance()
    group = ioc_group(project)
    if group is None:
        return None
    for node in group.findLayers():
        layer = node.layer()
        if layer is not None and layer.customProperty("ioc/table") == table:
            return layer
    return None


class StepwiseLayerLoader(QObject):
    """Builds the layers one step per event-loop turn on the GUI thread (open; for the reports, update mode; style),
    then installs them, then hands them over.

    Why not a worker thread: QGIS 3.22 caches CRS objects process-wide, and a CRS first made in a task thread
    (a GeoPackage layer's CRS is made when the layer opens) loses its PROJ object when the thread pool retires that
    thread. Every later layer or Processing output with that CRS then has no WKT and is written as an "Undefined
    geographic SRS" (tests/qgis/test_layer_loading.py reproduces it). So layers are only ever made here, in steps
    small enough (each under ~10 ms of CPU) that the desktop stays responsive on a busy PC.
    """

    finished = pyqtSignal(dict)

    def __init__(self, specs: list[LayerSpec], analysis_crs: str, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self._crs = analysis_crs
        self._built: dict[str, QgsVectorLayer] = {}
        self._installed: dict[str, QgsVectorLayer] = {}
        self._steps: list[Callable[[], None]] = [partial(self._open, spec) for spec in specs]
        self._steps += [self._install, self._finish]
        # Single shot, armed again after each step: a repeating 0 ms timer is re-armed with the time its turn
        # began, so after a long step it is due before every other timer and runs twice in a row while the
        # desktop's own timers (repaints, progress, animations) wait through both steps.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._step)
        self._done = False

    def start(self) -> None:
        self._timer.start()

    def busy(self) -> bool:
        """Still opening or styling layers (the finished signal is yet to come)."""
        return not self._done and bool(self._steps)

    def cancel(self) -> None:
        self._timer.stop()
        self._steps = []
        self._done = True

    def _step(self) -> None:
        if self._done or not self._steps:
            return
        step = self._steps.pop(0)
        try:
            step()
        finally:
            if not self._done:
                self._timer.start()

    def _open(self, spec: LayerSpec) -> None:
        layer = open_layer(spec)
        if layer is None:
            return
        follow: list[Callable[[], None]] = [partial(self._style, layer, spec)]
        if keeps_update_mode(spec):
            follow.insert(0, layer.dataProvider().enterUpdateMode)
        self._steps[0:0] = follow

    def _style(self, layer: QgsVectorLayer, spec: LayerSpec) -> None:
        try:
            style_layer(layer, spec)
        except Exception as exc:  # noqa: BLE001 - a broken style leaves QGIS's default one, never a dead load
            log(f"layer {spec.table}: style not applied ({exc})", "warning")
        self._built[spec.table] = layer

    def _install(self) -> None:
        self._installed = install_layers(self._built, self._crs)  # the panel and cameras take them next turn

    def _finish(self) -> None:
        self._done = True
        self.finished.emit(self._installed)
