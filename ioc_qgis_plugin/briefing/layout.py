"""The ward briefing as a QGIS print layout: an atlas over a wards layer carrying the computed figures.

The figures are computed once in numpy (`figures.py`) and written as attributes of an in-memory copy of the wards
layer, so the atlas only places text; the map shows in-memory layers of open/overdue reports, lights and camera
wedges. Export runs on the calling thread (QGIS layouts are not thread-safe): the GUI calls `export_page` page by
page and lets events through in between; the command line calls `export_all`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Optional

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsField,
    QgsFillSymbol,
    QgsGeometry,
    QgsLayoutExporter,
    QgsLayoutFrame,
    QgsLayoutItemAttributeTable,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPage,
    QgsLayoutItemScaleBar,
    QgsLayoutItemShape,
    QgsLayoutMultiFrame,
    QgsLayoutObject,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLayoutTableColumn,
    QgsLegendStyle,
    QgsMarkerSymbol,
    QgsPointXY,
    QgsPrintLayout,
    QgsProject,
    QgsProperty,
    QgsRectangle,
    QgsRenderContext,
    QgsRendererCategory,
    QgsRuleBasedRenderer,
    QgsScaleBarSettings,
    QgsSingleSymbolRenderer,
    QgsTextFormat,
    QgsUnitTypes,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import Qt, QVariant
from qgis.PyQt.QtGui import QColor, QFont

from ..core.timeutil import CITY_TZ
from .figures import Briefing

FONT = "DejaVu Sans"  # ships with Debian and covers Vietnamese; Qt falls back if missing
NAVY = QColor(31, 58, 95)
RED = QColor(200, 40, 40)
ORANGE = QColor(240, 150, 30)
GREY = QColor(90, 90, 90)
PAGE_W, PAGE_H, MARGIN = 210.0, 297.0, 12.0
MM = QgsUnitTypes.LayoutMillimeters


@dataclass
class BriefingLayout:
    layout: QgsPrintLayout
    coverage: QgsVectorLayer
    layers: list[QgsVectorLayer]  # keep the memory layers alive as long as the layout

    @property
    def atlas(self):  # noqa: ANN201
        return self.layout.atlas()

    def ward_ids(self) -> list[str]:
        return [str(f["ward_id"]) for f in self.coverage.getFeatures()]


# -- layers ------------------------------------------------------------------------------------------------------
def _memory(geom: str, name: str, fields: list[tuple[str, QVariant.Type]]) -> QgsVectorLayer:
    layer = QgsVectorLayer(f"{geom}?crs=EPSG:4326" if geom != "None" else "None", name, "memory")
    layer.dataProvider().addAttributes([QgsField(n, t) for n, t in fields])
    layer.updateFields()
    return layer


def _points_layer(name: str, pts, styles: dict[str, tuple[str, QColor, float, str]]) -> QgsVectorLayer:  # noqa: ANN001
    layer = _memory("Point", name, [("kind", QVariant.String), ("ward_id", QVariant.String)])
    feats = []
    for x, y, k, w in zip(pts.lon, pts.lat, pts.kind, pts.ward_id):
        f = QgsFeature(layer.fields())
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(float(x), float(y))))
        f.setAttributes([str(k), str(w)])
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    cats = []
    for kind, (label, colour, size, shape) in styles.items():
        props = {
            "name": shape,
            "color": colour.name(),
            "size": str(size),
            "outline_color": "white",
            "outline_width": "0.2",
        }
        if shape.endswith("_hollow"):  # white inside, coloured rim: tells "unknown" from "active" even in grey print
            props.update(name=shape[: -len("_hollow")], color="white", outline_color=colour.name(), outline_width="0.4")
        sym = QgsMarkerSymbol.createSimple(props)
        cats.append(QgsRendererCategory(kind, sym, label))
    layer.setRenderer(QgsCategorizedSymbolRenderer("kind", cats))
    return layer


def _coverage_layer(b: Briefing) -> QgsVectorLayer:
    fields = [
        ("ward_id", QVariant.String),
        ("name", QVariant.String),
        ("title", QVariant.String),
        ("subtitle", QVariant.String),
        ("received", QVariant.String),
        ("on_time", QVariant.String),
        ("open", QVariant.String),
        ("overdue", QVariant.String),
        ("lights", QVariant.String),
        ("cameras", QVariant.String),
        ("notes", QVariant.String),
        ("has_geom", QVariant.Int),
        ("table_title", QVariant.String),
        ("details", QVariant.String),
    ]
    layer = _memory("MultiPolygon", "Phường", fields)
    as_of = datetime.fromtimestamp(b.period.as_of, CITY_TZ).strftime("%H:%M %d/%m/%Y")
    feats = []
    for w in b.wards:
        f = QgsFeature(layer.fields())
        if w.has_geometry:
            f.setGeometry(QgsGeometry.fromWkt(w.geometry.wkt))
        city = f"{b.city} · " if b.city else ""
        f.setAttributes(
            [
                w.ward_id,
                w.name,
                w.title,
                f"{city}Kỳ báo cáo: {b.period.label} · Số liệu tính đến {as_of} (giờ Việt Nam)",
                str(w.received),
                w.on_time_text,
                str(w.open),
                str(w.overdue),
                f"{w.lights_fault}/{w.lights}" if w.lights else "—",
                f"{w.cameras_offline}/{w.cameras}" if w.cameras else "—",
                "\n".join(f"• {n}" for n in w.notes),
                1 if w.has_geometry else 0,
                f"Phản ánh quá hạn lâu nhất ({len(w.top_overdue)} / {w.overdue})"
                if w.overdue
                else "Phản ánh quá hạn lâu nhất",
                _details(w),
            ]
        )
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    # the atlas ward is outlined; its neighbours are greyed so the eye stays on the ward
    root = QgsRuleBasedRenderer.Rule(None)
    here = QgsFillSymbol.createSimple({"color": "255,255,255,0", "outline_color": NAVY.name(), "outline_width": "0.8"})
    others = QgsFillSymbol.createSimple(
        {"color": "235,235,235,255", "outline_color": "190,190,190", "outline_width": "0.3"}
    )
    root.appendChild(QgsRuleBasedRenderer.Rule(others, 0, 0, "$id <> @atlas_featureid", "Phường lân cận"))
    root.appendChild(QgsRuleBasedRenderer.Rule(here, 0, 0, "$id = @atlas_featureid", "Ranh giới phường"))
    layer.setRenderer(QgsRuleBasedRenderer(root))
    return layer


def _details(w) -> str:  # noqa: ANN001 - WardBriefing
    lines = [
        f"Đang mở: {w.open} (quá hạn {w.overdue})",
        f"Xử lý trong kỳ: {w.resolved} (đúng hạn {w.resolved_on_time})",
        f"Đèn: {w.lights} · mất sáng {w.lights_dark} · lỗi khác {w.lights_fault - w.lights_dark}",
        f"Camera: {w.cameras} · mất kết nối {w.cameras_offline}",
    ]
    if w.unlocated:
        lines.append(f"Không có vị trí: {w.unlocated} phản ánh")
    return "\n".join(lines)


def _overdue_table_layer(b: Briefing) -> QgsVectorLayer:
    names = ["ward_id", "rank", "report_id", "category", "address", "due", "late", "agency"]
    layer = _memory("None", "Quá hạn", [(n, QVariant.Int if n == "rank" else QVariant.String) for n in names])
    feats = []
    for w in b.wards:
        for rank, r in enumerate(w.top_overdue, 1):
            f = QgsFeature(layer.fields())
            f.setAttributes([w.ward_id, rank, r.report_id, r.category, r.address, r.due, r.late, r.agency])
            feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def _wedge_layer(b: Briefing) -> QgsVectorLayer:
    layer = _memory("Polygon", "Vùng quan sát camera", [("n", QVariant.Int)])
    feats = []
    for i, w in enumerate(b.wedges):
        if w is None or w.is_empty:
            continue
        f = QgsFeature(layer.fields())
        f.setGeometry(QgsGeometry.fromWkt(w.wkt))
        f.setAttributes([i])
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    sym = QgsFillSymbol.createSimple(
        {"color": "40,110,200,70", "outline_color": "40,110,200,160", "outline_width": "0.2"}
    )
    layer.setRenderer(QgsSingleSymbolRenderer(sym))
    return layer


def build_layers(b: Briefing) -> tuple[QgsVectorLayer, QgsVectorLayer, list[QgsVectorLayer]]:
    """(coverage, overdue table, map layers top first)."""
    reports = _points_layer(
        "Phản ánh",
        b.reports,
        {
            "overdue": ("Phản ánh quá hạn", RED, 2.6, "circle"),
            "open": ("Phản ánh còn hạn", ORANGE, 2.2, "circle"),
        },
    )
    cameras = _points_layer(
        "Camera",
        b.cameras,
        {
            "online": ("Camera hoạt động", NAVY, 2.2, "triangle"),
            "unknown": ("Camera chưa rõ trạng thái", NAVY, 2.2, "triangle_hollow"),
            "offline": ("Camera mất kết nối", QColor(120, 120, 120), 2.2, "triangle"),
        },
    )
    lights = _points_layer(
        "Đèn chiếu sáng",
        b.lights,
        {
            "dark": ("Đèn mất sáng", QColor(20, 20, 20), 1.8, "square"),
            "fault": ("Đèn lỗi khác", QColor(150, 90, 200), 1.6, "square"),
            "ok": ("Đèn hoạt động", QColor(200, 190, 120), 0.7, "circle"),
        },
    )
    return _coverage_layer(b), _overdue_table_layer(b), [cameras, reports, lights, _wedge_layer(b)]


# -- layout items ------------------------------------------------------------------------------------------------
def _font(size: float, bold: bool = False, italic: bool = False) -> QFont:
    f = QFont(FONT)
    f.setPointSizeF(size)
    f.setBold(bold)
    f.setItalic(italic)
    return f


def _text_format(size: float, colour: QColor = QColor(40, 40, 40), bold: bool = False) -> QgsTextFormat:
    fmt = QgsTextFormat.fromQFont(_font(size, bold))
    fmt.setSize(size)
    fmt.setSizeUnit(QgsUnitTypes.RenderPoints)
    fmt.setColor(colour)
    return fmt


def _label(
    layout,
    text: str,
    x: float,
    y: float,
    w: float,
    h: float,
    size: float = 9,
    colour: QColor = GREY,  # noqa: ANN001
    bold: bool = False,
    italic: bool = False,
    align=Qt.AlignLeft,
    valign=Qt.AlignTop,
) -> QgsLayoutItemLabel:  # noqa: ANN001
    item = QgsLayoutItemLabel(layout)
    item.setText(text)
    item.setFont(_font(size, bold, italic))
    item.setFontColor(colour)
    item.setHAlign(align)
    item.setVAlign(valign)
    item.setMarginX(0)
    item.setMarginY(0)
    _place(item, x, y, w, h)
    layout.addLayoutItem(item)
    return item


def _place(item, x: float, y: float, w: float, h: float) -> None:  # noqa: ANN001
    item.attemptMove(QgsLayoutPoint(x, y, MM))
    item.attemptResize(QgsLayoutSize(w, h, MM))


def _rect(layout, x: float, y: float, w: float, h: float, fill: str, outline: str = "no") -> QgsLayoutItemShape:  # noqa: ANN001
    shape = QgsLayoutItemShape(layout)
    shape.setShapeType(QgsLayoutItemShape.Rectangle)
    props = (
        {"color": fill, "outline_style": "no"}
        if outline == "no"
        else {"color": fill, "outline_color": outline, "outline_width": "0.3"}
    )
    shape.setSymbol(QgsFillSymbol.createSimple(props))
    _place(shape, x, y, w, h)
    layout.addLayoutItem(shape)
    return shape


def _show_when(item, expression: str) -> None:  # noqa: ANN001
    """Leave the item out of the export unless `expression` holds for the atlas ward."""
    item.dataDefinedProperties().setProperty(
        QgsLayoutObject.ExcludeFromExports, QgsProperty.fromExpression(f"not ({expression})")
    )


KEY_FIGURES = (
    ("received", "Tiếp nhận trong kỳ", NAVY),
    ("on_time", "Xử lý đúng hạn", QColor(30, 130, 70)),
    ("open", "Đang mở", ORANGE),
    ("overdue", "Quá hạn", RED),
    ("lights", "Đèn lỗi / tổng", QColor(60, 60, 60)),
    ("cameras", "Camera mất kết nối / tổng", NAVY),
)


def build_layout(b: Briefing, project: Optional[QgsProject] = None) -> BriefingLayout:
    project = project or QgsProject.instance()
    coverage, table_layer, map_layers = build_layers(b)
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName("Báo cáo tình hình phường")
    page = layout.pageCollection().page(0)
    page.setPageSize("A4", QgsLayoutItemPage.Portrait)
    inner = PAGE_W - 2 * MARGIN

    # header band
    _rect(layout, 0, 0, PAGE_W, 27, NAVY.name())
    _label(
        layout,
        '[% upper(left("title", 1)) || substr("title", 2) %]',
        MARGIN,
        6,
        inner,
        10,
        17,
        QColor("white"),
        bold=True,
    )
    _label(layout, '[% "subtitle" %]', MARGIN, 17, inner, 6, 8.5, QColor(220, 228, 240))

    # key figures
    gap, top, height = 3.0, 32.0, 19.0
    width = (inner - gap * (len(KEY_FIGURES) - 1)) / len(KEY_FIGURES)
    for i, (field, caption, colour) in enumerate(KEY_FIGURES):
        x = MARGIN + i * (width + gap)
        _rect(layout, x, top, width, height, "248,249,251,255", "215,220,228,255")
        _rect(layout, x, top, 1.2, height, colour.name())
        size = 15 if field != "on_time" else 11
        _label(
            layout, f'[% "{field}" %]', x + 2.5, top + 2, width - 4, 9, size, colour, bold=True, valign=Qt.AlignVCenter
        )
        _label(layout, caption, x + 2.5, top + 12, width - 4, 6, 7, GREY)

    # map (left) and legend (right column)
    map_top, map_h, legend_w = 56.0, 118.0, 46.0
    map_w = inner - legend_w - 4
    item_map = QgsLayoutItemMap(layout)
    item_map.setLayers([*map_layers, coverage])
    item_map.setKeepLayerSet(True)
    item_map.setFrameEnabled(True)
    item_map.setFrameStrokeColor(QColor(180, 180, 180))
    item_map.setBackgroundColor(QColor(250, 250, 250))
    layout.addLayoutItem(item_map)
    # A map without an extent takes the shape of the first extent it gets (the atlas's, which would stretch the
    # item down the page), and zoomToExtent does nothing on it: set an extent, then force the size back.
    crs = QgsCoordinateReferenceSystem(b.analysis_crs)
    item_map.setCrs(crs)
    _place(item_map, MARGIN, map_top, map_w, map_h)
    item_map.setExtent(_start_extent(coverage, crs))
    _place(item_map, MARGIN, map_top, map_w, map_h)
    item_map.setAtlasDriven(True)
    item_map.setAtlasScalingMode(QgsLayoutItemMap.Auto)
    item_map.setAtlasMargin(0.06)
    _show_when(item_map, '"has_geom" = 1')

    legend = QgsLayoutItemLegend(layout)
    legend.setLinkedMap(item_map)
    legend.setTitle("Chú giải")
    legend.setAutoUpdateModel(False)
    model_root = legend.model().rootGroup()
    model_root.clear()
    for lyr in (*map_layers, coverage):
        model_root.addLayer(lyr)
    legend.setStyleFont(QgsLegendStyle.Title, _font(8.5, bold=True))
    legend.setStyleFont(QgsLegendStyle.Subgroup, _font(7.5, bold=True))
    legend.setStyleFont(QgsLegendStyle.SymbolLabel, _font(6.5))
    legend.setSymbolHeight(2.6)
    legend.setSymbolWidth(4)
    legend.setFrameEnabled(False)
    layout.addLayoutItem(legend)
    legend.attemptMove(QgsLayoutPoint(MARGIN + map_w + 4, map_top, MM))
    _show_when(legend, '"has_geom" = 1')

    _label(layout, "Tóm tắt", MARGIN + map_w + 4, map_top + map_h - 27, legend_w, 5, 8.5, NAVY, bold=True)
    _label(layout, '[% "details" %]', MARGIN + map_w + 4, map_top + map_h - 21, legend_w, 21, 6.5, GREY)

    bar = QgsLayoutItemScaleBar(layout)
    bar.setStyle("Single Box")
    bar.setLinkedMap(item_map)
    bar.setUnits(QgsUnitTypes.DistanceMeters)
    bar.setUnitLabel("m")
    bar.setNumberOfSegments(2)
    bar.setNumberOfSegmentsLeft(0)
    bar.setSegmentSizeMode(QgsScaleBarSettings.SegmentSizeFitWidth)
    bar.setMinimumBarWidth(18)
    bar.setMaximumBarWidth(36)
    bar.setHeight(1.5)
    bar.setTextFormat(_text_format(6.5))
    bar.setBackgroundEnabled(True)
    bar.setBackgroundColor(QColor(255, 255, 255, 210))
    layout.addLayoutItem(bar)
    bar.attemptMove(QgsLayoutPoint(MARGIN + 2, map_top + map_h - 10, MM))
    _show_when(bar, '"has_geom" = 1')

    # in place of the map when the ward has no boundary
    no_map = _rect(layout, MARGIN, map_top, map_w, map_h, "245,245,245,255", "200,200,200,255")
    _show_when(no_map, '"has_geom" = 0')
    msg = _label(
        layout,
        "Không có bản đồ: phường chưa có ranh giới trong dữ liệu.",
        MARGIN,
        map_top + map_h / 2 - 5,
        map_w,
        10,
        11,
        GREY,
        italic=True,
        align=Qt.AlignHCenter,
    )
    _show_when(msg, '"has_geom" = 0')

    # notes (bad input, empty period)
    notes = _label(layout, '[% "notes" %]', MARGIN, map_top + map_h + 2, inner, 12, 8, QColor(150, 40, 40), italic=True)
    _show_when(notes, 'length("notes") > 0')

    # top overdue table
    table_top = map_top + map_h + 15
    _label(layout, '[% "table_title" %]', MARGIN, table_top, inner, 6, 10, NAVY, bold=True)
    table = QgsLayoutItemAttributeTable.create(layout)
    table.setVectorLayer(table_layer)
    table.setMaximumNumberOfFeatures(10)
    table.setFilterFeatures(True)
    table.setFeatureFilter("\"ward_id\" = attribute(@atlas_feature, 'ward_id')")
    cols = []
    for attr, heading, w in (  # widths sum to the page's inner width minus cell margins and grid lines
        ("rank", "#", 4),
        ("report_id", "Mã phản ánh", 20),
        ("category", "Lĩnh vực", 29),
        ("address", "Địa chỉ", 35),
        ("due", "Hạn xử lý", 26),
        ("late", "Quá hạn", 15),
        ("agency", "Đơn vị xử lý", 41),
    ):
        c = QgsLayoutTableColumn(heading)
        c.setAttribute(attr)
        c.setWidth(w)
        cols.append(c)
    table.setColumns(cols)
    sort = QgsLayoutTableColumn()
    sort.setAttribute("rank")
    sort.setSortOrder(Qt.AscendingOrder)
    table.setSortColumns([sort])
    table.setEmptyTableBehavior(QgsLayoutItemAttributeTable.ShowMessage)
    table.setEmptyTableMessage("Không có phản ánh quá hạn.")
    table.setHeaderTextFormat(_text_format(7.5, NAVY, bold=True))
    table.setContentTextFormat(_text_format(7))
    table.setGridStrokeWidth(0.15)
    table.setGridColor(QColor(200, 200, 200))
    table.setCellMargin(1.0)
    table.setWrapBehavior(QgsLayoutItemAttributeTable.WrapText)
    table.setResizeMode(QgsLayoutMultiFrame.UseExistingFrames)
    frame = QgsLayoutFrame(layout, table)
    _place(frame, MARGIN, table_top + 7, inner, PAGE_H - table_top - 7 - 16)
    table.addFrame(frame)
    layout.addMultiFrame(table)

    # footer
    made = datetime.fromtimestamp(b.generated, CITY_TZ).strftime("%H:%M %d/%m/%Y")
    _rect(layout, MARGIN, PAGE_H - 13, inner, 0.3, "200,200,200,255")
    _label(
        layout,
        f"Trung tâm Giám sát, điều hành đô thị thông minh (IOC) · Lập tự động lúc {made}",
        MARGIN,
        PAGE_H - 11,
        inner - 30,
        5,
        7,
        GREY,
    )
    _label(layout, '[% "ward_id" %]', PAGE_W - MARGIN - 30, PAGE_H - 11, 30, 5, 7, GREY, align=Qt.AlignRight)

    atlas = layout.atlas()
    atlas.setCoverageLayer(coverage)
    atlas.setEnabled(True)
    atlas.setPageNameExpression('"ward_id"')
    atlas.setFilenameExpression(f"'bao-cao-' || \"ward_id\" || '-{b.period.day:%Y-%m-%d}'")
    atlas.setSortFeatures(True)
    atlas.setSortExpression('"ward_id"')
    if set(b.pages) != {w.ward_id for w in b.wards}:
        quoted = ", ".join("'" + p.replace("'", "''") + "'" for p in b.pages) or "''"
        atlas.setFilterFeatures(True)
        atlas.setFilterExpression(f'"ward_id" IN ({quoted})')
    return BriefingLayout(layout, coverage, [coverage, table_layer, *map_layers])


def _start_extent(coverage: QgsVectorLayer, crs: QgsCoordinateReferenceSystem) -> QgsRectangle:
    coverage.updateExtents()
    extent = coverage.extent()
    if extent.isNull() or extent.isEmpty():
        return QgsRectangle(0, 0, 1000, 1000)
    tr = QgsCoordinateTransform(coverage.crs(), crs, QgsProject.instance().transformContext())
    return tr.transformBoundingBox(extent)


# -- export ------------------------------------------------------------------------------------------------------
def pdf_settings() -> QgsLayoutExporter.PdfExportSettings:
    s = QgsLayoutExporter.PdfExportSettings()
    s.dpi = 200
    s.rasterizeWholeImage = False
    s.forceVectorOutput = True
    s.simplifyGeometries = True
    s.textRenderFormat = QgsRenderContext.TextFormatAlwaysText  # searchable, copyable text (default: outlines)
    return s


def combined_name(b: Briefing) -> str:
    return f"bao-cao-phuong-{b.period.day:%Y-%m-%d}.pdf"


def ward_file_name(ward_id: str, b: Briefing) -> str:
    return f"bao-cao-{ward_id}-{b.period.day:%Y-%m-%d}.pdf"


def export_page(bl: BriefingLayout, index: int, path: Path) -> None:
    """Export atlas page `index` (0-based) to its own PDF; raises RuntimeError with QGIS's message."""
    atlas = bl.atlas
    if not atlas.seekTo(index):
        raise RuntimeError(f"atlas page {index} does not exist")
    bl.layout.refresh()
    result = QgsLayoutExporter(bl.layout).exportToPdf(str(path), pdf_settings())
    if result != QgsLayoutExporter.Success:
        raise RuntimeError(f"PDF export of {path.name} failed (code {result})")


def export_all(
    b: Briefing,
    out_dir: Path,
    combined: bool = True,
    per_ward: bool = True,
    progress: Optional[Callable[[float], None]] = None,
    canceled: Optional[Callable[[], bool]] = None,
) -> list[Path]:
    """Per-ward PDFs and/or one multi-page PDF in `out_dir`; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    bl = build_layout(b)
    atlas = bl.atlas
    atlas.beginRender()
    n = atlas.count()
    steps = (n if per_ward else 0) + (1 if combined else 0)
    written: list[Path] = []
    done = 0
    if per_ward:
        for i in range(n):
            if canceled and canceled():
                break
            atlas.seekTo(i)
            path = out_dir / ward_file_name(str(atlas.layout().reportContext().feature()["ward_id"]), b)
            export_page(bl, i, path)
            written.append(path)
            done += 1
            if progress:
                progress(100.0 * done / max(steps, 1))
    atlas.endRender()
    if combined and not (canceled and canceled()):
        path = out_dir / combined_name(b)
        result, error = QgsLayoutExporter.exportToPdf(atlas, str(path), pdf_settings())
        if result != QgsLayoutExporter.Success:
            raise RuntimeError(f"PDF export of {path.name} failed: {error}")
        written.append(path)
        if progress:
            progress(100.0)
    return written
