"""Parcel card: a map tool that finds the clicked parcel and a window with its data, zone, conformity, reports."""

from __future__ import annotations

from typing import Callable, Optional

from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProject
from qgis.gui import QgsMapToolEmitPoint
from qgis.PyQt.QtCore import QCoreApplication, pyqtSignal
from qgis.PyQt.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from ..land.card import ParcelCard, parcel_card
from .formats import number


def tr(text: str) -> str:
    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    return QCoreApplication.translate("@default", text)


def _esc(v: object) -> str:
    import html

    return html.escape("" if v is None else str(v))


def card_html(card: ParcelCard) -> str:
    p = card.parcel
    rows = [
        (tr("Sheet / parcel"), f"{p.get('sheet_no')} / {p.get('parcel_no')}"),
        (tr("Land use"), card.land_use_label),
        (tr("Declared area (m²)"), p.get("area_declared")),
        (tr("Computed area (m²)"), number(card.area_computed_m2, 1)),
        (tr("Address"), p.get("address")),
        (tr("Ward"), p.get("ward_id")),
    ]
    z = card.main_zone
    if z is None:
        rows.append((tr("Planning zone"), tr("outside the plan")))
    else:
        rows.append((tr("Planning zone"), f"{z['zone_id']} — {z.get('name') or ''} ({100 * z['share']:.0f} %)"))
        rows.append((tr("Allowed uses"), z.get("allowed_uses")))
        rows.append((tr("Decision"), z.get("decision")))
        rows.append((tr("Conformity"), tr("conforming") if card.conforming else tr("NOT conforming")))
    out = ["<table>"] + [f"<tr><th align='left'>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in rows] + ["</table>"]
    out.append(f"<h4>{_esc(tr('Open land reports nearby'))} ({len(card.reports)})</h4><ul>")
    for r in card.reports:
        out.append(
            f"<li>{_esc(r['report_id'])} · {_esc(r.get('status'))} · {r['distance_m']:.0f} m — "
            f"{_esc(r.get('description') or r.get('service_name'))}</li>"
        )
    out.append("</ul>")
    return "".join(out)


class ParcelCardWidget(QWidget):
    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.setWindowTitle(tr("Parcel"))
        self.view = QTextBrowser()
        lay = QVBoxLayout(self)
        lay.addWidget(self.view)
        self.card: Optional[ParcelCard] = None

    def show_card(self, card: Optional[ParcelCard]) -> None:
        self.card = card
        self.view.setHtml(card_html(card) if card else tr("No parcel here."))


class ParcelMapTool(QgsMapToolEmitPoint):
    """Click → parcel at that point (looked up in the store, WGS 84)."""

    parcel_clicked = pyqtSignal(int)

    def __init__(self, canvas, store_factory: Callable) -> None:  # noqa: ANN001
        super().__init__(canvas)
        self.store_factory = store_factory
        self.canvasClicked.connect(self._clicked)

    def _clicked(self, point, button) -> None:  # noqa: ANN001
        fid = self.parcel_at(point, self.canvas().mapSettings().destinationCrs())
        if fid is not None:
            self.parcel_clicked.emit(fid)

    def parcel_at(self, point, crs) -> Optional[int]:  # noqa: ANN001
        tr = QgsCoordinateTransform(crs, QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance())
        p = tr.transform(point)
        from shapely.geometry import Point

        store = self.store_factory()
        try:
            where, params = "", ()
            if getattr(store, "kind", "") == "gpkg":  # the GeoPackage R-tree narrows to parcels under the click
                where = (
                    "fid IN (SELECT id FROM rtree_parcels_geom WHERE minx <= ? AND maxx >= ? AND miny <= ? "
                    "AND maxy >= ?)"
                )
                params = (p.x(), p.x(), p.y(), p.y())
            pt = Point(p.x(), p.y())
            for r in store.fetch("parcels", where, params, columns=["fid"], geometry=True):
                g = r.get("geom")
                if g is not None and g.contains(pt):
                    return int(r["fid"])
        finally:
            store.close()
        return None


def open_card(store_factory: Callable, fid: int, widget: ParcelCardWidget, distance_m: float = 200.0) -> ParcelCard:
    store = store_factory()
    try:
        card = parcel_card(store, fid=fid, distance_m=distance_m)
    finally:
        store.close()
    widget.show_card(card)
    return card
