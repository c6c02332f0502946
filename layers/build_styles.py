"""Writes layers/styles/*.qml with PyQGIS so the styles are reviewed as code, not hand-edited XML.

    QT_QPA_PLATFORM=offscreen python3 layers/build_styles.py

Colours: report deadline state (overdue red, due soon orange, on time blue, resolved green), cameras by health
with their field-of-view wedge, street lights by state, parcels by land-use code (Vietnamese legend).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from qgis.core import (
    QgsApplication,
    QgsCategorizedSymbolRenderer,
    QgsFeatureRenderer,
    QgsFillSymbol,
    QgsGeometryGeneratorSymbolLayer,
    QgsMarkerSymbol,
    QgsPalLayerSettings,
    QgsRendererCategory,
    QgsRuleBasedRenderer,
    QgsSingleSymbolRenderer,
    QgsSvgMarkerSymbolLayer,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtGui import QColor, QFont

HERE = Path(__file__).resolve().parent
STYLES = HERE / "styles"

OPEN = "'submitted','received','assigned','in_progress'"
# Seconds left before the deadline, and the whole allowed window, from the stored DATETIME fields.
LEFT = '(epoch(to_datetime("due_at")) - epoch(now())) / 1000'
WINDOW = '(epoch(to_datetime("due_at")) - epoch(to_datetime("requested_at"))) / 1000'
# Field of view in the analysis CRS (metres) so range_m is a true distance; the plugin sets @ioc_analysis_crs.
CRS = "coalesce(@ioc_analysis_crs, 'EPSG:5899')"
FOV = (
    f'transform(CASE WHEN "bearing" IS NULL OR "angle" IS NULL '
    f"THEN buffer(transform($geometry, 'EPSG:4326', {CRS}), coalesce(\"range_m\", 50), 24) "
    f'ELSE wedge_buffer(transform($geometry, \'EPSG:4326\', {CRS}), "bearing", "angle", coalesce("range_m", 50)) '
    f"END, {CRS}, 'EPSG:4326')"
)


def text_format(size: float = 8, color: str = "#202020") -> QgsTextFormat:
    fmt = QgsTextFormat()
    fmt.setFont(QFont("DejaVu Sans"))
    fmt.setSize(size)
    fmt.setColor(QColor(color))
    buf = QgsTextBufferSettings()
    buf.setEnabled(True)
    buf.setSize(0.8)
    buf.setColor(QColor("white"))
    fmt.setBuffer(buf)
    return fmt


def labels(layer: QgsVectorLayer, expr: str, size: float = 8, color: str = "#202020", scale_max: float = 0) -> None:
    s = QgsPalLayerSettings()
    s.fieldName = expr
    s.isExpression = True
    s.setFormat(text_format(size, color))
    if scale_max:
        s.scaleVisibility = True
        s.minimumScale = scale_max
        s.maximumScale = 0
    layer.setLabeling(QgsVectorLayerSimpleLabeling(s))
    layer.setLabelsEnabled(True)


def memory(geom: str, fields: str) -> QgsVectorLayer:
    return QgsVectorLayer(f"{geom}?crs=EPSG:4326&{fields}", "tmp", "memory")


def save(layer: QgsVectorLayer, renderer: QgsFeatureRenderer, name: str) -> None:
    layer.setRenderer(renderer)
    path = STYLES / f"{name}.qml"
    msg, ok = layer.saveNamedStyle(str(path))
    if not ok:
        raise RuntimeError(f"could not write {path}: {msg}")
    print(path)


def wards() -> None:
    layer = memory("MultiPolygon", "field=ward_id:string&field=name:string")
    sym = QgsFillSymbol.createSimple(
        {"color": "0,0,0,0", "outline_color": "#5a5a8c", "outline_width": "0.6", "outline_style": "dash"}
    )
    labels(layer, '"name"', 9, "#3c3c6e")
    save(layer, QgsSingleSymbolRenderer(sym), "wards")


def rule(renderer_root, label: str, expr: str, symbol) -> None:
    r = QgsRuleBasedRenderer.Rule(symbol, 0, 0, expr, label)
    renderer_root.appendChild(r)


def field_reports() -> None:
    layer = memory("Point", "field=status:string&field=due_at:datetime&field=requested_at:datetime")
    root = QgsRuleBasedRenderer.Rule(None)

    def dot(color: str, size: float, outline: str = "#ffffff", alpha: int = 255):
        c = QColor(color)
        c.setAlpha(alpha)
        return QgsMarkerSymbol.createSimple(
            {
                "name": "circle",
                "color": c.name(QColor.HexArgb).replace("#", "#"),
                "size": str(size),
                "outline_color": outline,
                "outline_width": "0.2",
            }
        )

    rule(root, "Quá hạn · Overdue", f'"status" IN ({OPEN}) AND {LEFT} < 0', dot("#d7191c", 2.6, "#5a0000"))
    rule(
        root,
        "Sắp đến hạn · Due soon",
        f'"status" IN ({OPEN}) AND {LEFT} >= 0 AND {LEFT} < 0.25 * {WINDOW}',
        dot("#fdae61", 2.4, "#7a4a00"),
    )
    rule(
        root,
        "Trong hạn · On time",
        f'"status" IN ({OPEN}) AND ({LEFT} >= 0.25 * {WINDOW} OR "due_at" IS NULL)',
        dot("#2b83ba", 2.2),
    )
    rule(
        root, "Đã xử lý · Resolved / closed", "\"status\" IN ('resolved','closed')", dot("#1a9641", 1.2, "#1a9641", 110)
    )
    rule(root, "Từ chối, trùng · Rejected / duplicate", "ELSE", dot("#9e9e9e", 1.0, "#9e9e9e", 110))
    save(layer, QgsRuleBasedRenderer(root), "field_reports")


def cameras() -> None:
    layer = memory("Point", "field=status:string&field=bearing:double&field=angle:double&field=range_m:double")
    root = QgsRuleBasedRenderer.Rule(None)
    for label, expr, color in [
        ("Trực tuyến · Online", "\"status\" = 'online'", "#1a9641"),
        ("Mất kết nối · Offline", "\"status\" = 'offline'", "#d7191c"),
        ("Chưa rõ · Unknown", "ELSE", "#7b3294"),
    ]:
        fill = QgsFillSymbol.createSimple(
            {"color": QColor(color).name() + "40", "outline_color": color, "outline_width": "0.3"}
        )
        fill_color = QColor(color)
        fill_color.setAlpha(55)
        fill.setColor(fill_color)
        wedge = QgsGeometryGeneratorSymbolLayer.create({"geometryModifier": FOV, "SymbolType": "Fill"})
        wedge.setSymbolType(QgsFillSymbol().type())
        wedge.setSubSymbol(fill)
        svg = QgsSvgMarkerSymbolLayer("gpsicons/camera.svg", 5.0)
        svg.setFillColor(QColor(color))
        svg.setStrokeColor(QColor("#ffffff"))
        svg.setStrokeWidth(0.2)
        sym = QgsMarkerSymbol()
        sym.changeSymbolLayer(0, wedge)
        sym.appendSymbolLayer(svg)
        rule(root, label, expr, sym)
    labels(layer, '"name"', 7, "#303030", scale_max=20000)
    save(layer, QgsRuleBasedRenderer(root), "cameras")


def street_lights() -> None:
    layer = memory("Point", "field=state:string")
    cats = []
    # Faults are dark diamonds with a lamp-yellow rim: never a red dot, which on this map means an overdue report.
    for value, label, shape, color, outline, width, size in [
        ("on", "Đang sáng · On", "circle", "#ffd700", "#404040", "0.15", 1.6),
        ("dimmed", "Giảm sáng · Dimmed", "circle", "#fff3a0", "#404040", "0.15", 1.4),
        ("off", "Tắt · Off", "circle", "#555555", "#404040", "0.15", 1.2),
        ("fault", "Sự cố · Fault", "diamond", "#262626", "#ffc000", "0.4", 2.8),
        ("nodata", "Không có dữ liệu · No data", "square", "#b15ee0", "#404040", "0.15", 1.6),
    ]:
        sym = QgsMarkerSymbol.createSimple(
            {"name": shape, "color": color, "size": str(size), "outline_color": outline, "outline_width": width}
        )
        cats.append(QgsRendererCategory(value, sym, label))
    save(layer, QgsCategorizedSymbolRenderer("state", cats), "street_lights")


def parcels() -> None:
    layer = memory("MultiPolygon", "field=land_use:string&field=parcel_no:integer")
    codes = json.loads((HERE / "land_use_codes.json").read_text(encoding="utf-8"))["codes"]
    cats = []
    for c in codes:
        sym = QgsFillSymbol.createSimple({"color": c["color"], "outline_color": "#7a7a7a", "outline_width": "0.1"})
        cats.append(QgsRendererCategory(c["code"], sym, f"{c['code']} - {c['vi']}"))
    other = QgsFillSymbol.createSimple(
        {"color": "#e0e0e0", "outline_color": "#ff0000", "outline_width": "0.3", "style": "b_diagonal"}
    )
    cats.append(QgsRendererCategory(None, other, "Mã chưa biết · Unknown code"))
    labels(layer, '"parcel_no"', 6, "#404040", scale_max=5000)
    save(layer, QgsCategorizedSymbolRenderer("land_use", cats), "parcels")


def planning_zones() -> None:
    layer = memory("MultiPolygon", "field=zone_type:string&field=name:string")
    cats = []
    for value, label, color in [
        ("mixed", "Hỗn hợp · Mixed use", "#e66101"),
        ("residential", "Dân cư · Residential", "#fdb863"),
        ("industrial", "Công nghiệp · Industrial", "#5e3c99"),
        ("agriculture", "Nông nghiệp · Agriculture", "#b2df8a"),
        ("green", "Cây xanh · Green space", "#33a02c"),
    ]:
        sym = QgsFillSymbol.createSimple(
            {"color": color, "style": "fdiagonal", "outline_color": color, "outline_width": "0.8"}
        )
        cats.append(QgsRendererCategory(value, sym, label))
    labels(layer, '"name"', 8, "#402000")
    layer.setOpacity(0.35)
    save(layer, QgsCategorizedSymbolRenderer("zone_type", cats), "planning_zones")


def main() -> int:
    app = QgsApplication([], False)
    app.initQgis()
    STYLES.mkdir(exist_ok=True)
    for fn in (wards, field_reports, cameras, street_lights, parcels, planning_zones):
        fn()
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
