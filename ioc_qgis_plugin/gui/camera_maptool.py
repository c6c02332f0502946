"""Map tool: click a camera point on the map → `camera_clicked(camera_id)`."""

from __future__ import annotations

from typing import Optional

from qgis.core import QgsCoordinateTransform, QgsFeatureRequest, QgsGeometry, QgsPointXY, QgsProject, QgsRectangle
from qgis.gui import QgsMapCanvas, QgsMapMouseEvent, QgsMapTool
from qgis.PyQt.QtCore import Qt, pyqtSignal


class CameraMapTool(QgsMapTool):
    camera_clicked = pyqtSignal(str)

    def __init__(self, canvas: QgsMapCanvas, layer=None) -> None:  # noqa: ANN001 - QgsVectorLayer
        super().__init__(canvas)
        self.layer = layer
        self.setCursor(Qt.PointingHandCursor)

    def set_layer(self, layer) -> None:  # noqa: ANN001
        self.layer = layer

    def camera_at(self, map_point: QgsPointXY, radius_map_units: Optional[float] = None) -> Optional[str]:
        """camera_id of the camera nearest to `map_point` (canvas CRS) within the search radius, else None."""
        layer = self.layer
        if layer is None or not layer.isValid():
            return None
        radius = radius_map_units if radius_map_units is not None else QgsMapTool.searchRadiusMU(self.canvas())
        rect = QgsRectangle(
            map_point.x() - radius, map_point.y() - radius, map_point.x() + radius, map_point.y() + radius
        )
        to_layer = QgsCoordinateTransform(
            self.canvas().mapSettings().destinationCrs(), layer.crs(), QgsProject.instance()
        )
        try:
            rect_l = to_layer.transformBoundingBox(rect)
            point_l = to_layer.transform(map_point)
        except Exception:  # noqa: BLE001 - a click outside the layer CRS's valid area hits no camera
            return None
        idx = layer.fields().indexOf("camera_id")
        if idx < 0:
            return None
        request = QgsFeatureRequest().setFilterRect(rect_l).setSubsetOfAttributes([idx])
        best, best_d = None, float("inf")
        here = QgsGeometry.fromPointXY(point_l)
        for feature in layer.getFeatures(request):
            d = feature.geometry().distance(here)
            if d < best_d:
                best, best_d = feature[idx], d
        return str(best) if best is not None else None

    def canvasReleaseEvent(self, event: QgsMapMouseEvent) -> None:
        if event.button() != Qt.LeftButton:
            return
        camera_id = self.camera_at(event.mapPoint())
        if camera_id:
            self.camera_clicked.emit(camera_id)
