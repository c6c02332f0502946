"""Adds the IOC layer group to the project from a store: styled layers, analysis CRS, temporal settings."""

from __future__ import annotations

from typing import Optional

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsExpressionContextUtils,
    QgsLayerTreeGroup,
    QgsProject,
    QgsVectorLayer,
    QgsVectorLayerTemporalProperties,
)

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


def add_ioc_layers(
    store: IocStore, settings: IocSettings, project: Optional[QgsProject] = None
) -> dict[str, QgsVectorLayer]:
    """(Re)build the IOC group; returns table → layer. Layers that fail to load are logged and skipped."""
    project = project or QgsProject.instance()
    remove_ioc_layers(project)
    analysis_crs = store.get_meta("analysis_crs", "EPSG:5899") or "EPSG:5899"
    QgsExpressionContextUtils.setProjectVariable(project, "ioc_analysis_crs", analysis_crs)
    root = project.layerTreeRoot()
    group = root.insertGroup(0, GROUP_NAME)
    layers: dict[str, QgsVectorLayer] = {}
    for table in LAYER_ORDER:
        t = store.schema.table(table)
        uri, provider = qgis_layer_uri(store, table, settings)
        layer = QgsVectorLayer(uri, t.title, provider)
        if not layer.isValid():
            log(f"layer {table} could not be loaded from {store.describe()}", "warning")
            continue
        qml = styles_dir() / f"{table}.qml"
        if not _has_db_style(layer) and qml.exists():
            layer.loadNamedStyle(str(qml))
        layer.setCustomProperty("ioc/table", table)
        _set_temporal(layer, TIME_FIELDS.get(table))
        project.addMapLayer(layer, False)
        group.addLayer(layer)
        layers[table] = layer
    crs = QgsCoordinateReferenceSystem(analysis_crs)
    others = [lyr for lyr in project.mapLayers().values() if lyr.id() not in {x.id() for x in layers.values()}]
    if crs.isValid() and not others:  # a fresh project works in the province's VN-2000 / TM-3 metres
        project.setCrs(crs)
    return layers


def _has_db_style(layer: QgsVectorLayer) -> bool:
    # QGIS already applied the store's default style (layer_styles); the city may have customised it, keep it.
    count = layer.listStylesInDatabase()[0]
    return count > 0


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
