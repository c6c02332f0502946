"""Adds the IOC layer group to the project from a store: styled layers, analysis CRS, temporal settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsExpressionContextUtils,
    QgsLayerTreeGroup,
    QgsProject,
    QgsVectorLayer,
    QgsVectorLayerTemporalProperties,
)
from qgis.PyQt.QtCore import QThread

from ..core.paths import styles_dir
from ..store.base import IocStore
from .messages import log
from .settings import IocSettings
from .store_opener import qgis_layer_uri

GROUP_NAME = "IOC"
# Drawing order, top first.
LAYER_ORDER = ("cameras", "field_reports", "street_lights", "planning_zones", "parcels", "wards")
TIME_FIELDS = {"field_reports": "requested_at", "street_lights": "last_report", "cameras": "last_seen"}


def ioc_group(project: QgsProject) -> Optional[QgsLayerTreeGroup]:
    return project.layerTreeRoot().findGroup(GROUP_NAME)


@dataclass(frozen=True)
class LayerSpec:
    table: str
    title: str
    uri: str
    provider: str
    qml: Optional[str]  # our default style, used when the store carries none of its own


def layer_specs(store: IocStore, settings: IocSettings) -> list[LayerSpec]:
    """What to load (cheap: one query for the store's own styles); building the layers can then run anywhere."""
    styled = store.styled_tables()
    specs = []
    for table in LAYER_ORDER:
        uri, provider = qgis_layer_uri(store, table, settings)
        qml = styles_dir() / f"{table}.qml"
        specs.append(
            LayerSpec(
                table,
                store.schema.table(table).title,
                uri,
                provider,
                None if table in styled or not qml.exists() else str(qml),
            )
        )
    return specs


def build_layers(specs: list[LayerSpec], to_thread: Optional[QThread] = None) -> dict[str, QgsVectorLayer]:
    """Open and style the layers; safe in a QgsTask (layers are handed to `to_thread`, the GUI thread)."""
    layers: dict[str, QgsVectorLayer] = {}
    for spec in specs:
        layer = QgsVectorLayer(spec.uri, spec.title, spec.provider)  # applies the store's default style, if any
        if not layer.isValid():
            log(f"layer {spec.table} could not be loaded ({spec.provider})", "warning")
            continue
        if spec.qml:
            layer.loadNamedStyle(spec.qml)
        layer.setCustomProperty("ioc/table", spec.table)
        _set_temporal(layer, TIME_FIELDS.get(spec.table))
        if to_thread is not None:
            layer.moveToThread(to_thread)
        layers[spec.table] = layer
    return layers


def install_layers(
    layers: dict[str, QgsVectorLayer], analysis_crs: str, project: Optional[QgsProject] = None
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
    if crs.isValid() and not others:  # a fresh project works in the province's VN-2000 / TM-3 metres
        project.setCrs(crs)
    return layers


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
