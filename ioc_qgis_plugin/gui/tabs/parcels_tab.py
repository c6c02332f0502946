"""Parcels tab: find a parcel by sheet/parcel number or address; filter by land-use code."""

from __future__ import annotations

import numpy as np
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtWidgets import QComboBox, QLineEdit, QSpinBox

from ...core.land_use import land_uses
from ...core.text_fold import fold
from ..formats import number
from .base import TableTab, make_combo_data


def tr(text: str) -> str:
    # pylupdate5 files bare tr("...") calls under the "@default" context of i18n/ioc_vi.ts
    return QCoreApplication.translate("@default", text)


class ParcelsTab(TableTab):
    def __init__(self, iface, lang: str = "vi", parent=None) -> None:
        super().__init__(
            iface,
            [
                tr("Sheet"),
                tr("Parcel"),
                tr("Land use"),
                tr("Area m²"),
                tr("Address"),
                tr("Ward"),
            ],
            parent,
        )
        self.lang = lang
        self.sheet = QSpinBox()
        self.sheet.setRange(0, 99999)
        self.sheet.setSpecialValueText(self.tr("Sheet"))
        self.parcel = QSpinBox()
        self.parcel.setRange(0, 999999)
        self.parcel.setSpecialValueText(self.tr("Parcel"))
        self.land_use = QComboBox()
        make_combo_data(
            self.land_use, [(lu.label(lang), code) for code, lu in land_uses().items()], self.tr("All land uses")
        )
        self.address = QLineEdit()
        self.address.setPlaceholderText(self.tr("Address…"))
        for w in (self.sheet, self.parcel):
            self.filters.addWidget(w)
            w.valueChanged.connect(self.apply_filter)
        self.land_use.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.land_use.setMinimumContentsLength(8)
        self.filters.addWidget(self.land_use, 1)
        self.filters2.addWidget(self.address, 1)
        self.land_use.currentIndexChanged.connect(self.apply_filter)
        self.address.textChanged.connect(self.apply_filter)
        self.cols: dict[str, np.ndarray] = {}
        self.ward_names: dict[str, str] = {}

    def set_parcels(self, cols: dict[str, np.ndarray], ward_names: dict[str, str]) -> None:
        self.cols = cols
        self.ward_names = ward_names
        lus = land_uses()
        self.set_columns(
            cols["fid"].astype(np.int64),
            [
                cols["sheet_no"],
                cols["parcel_no"],
                cols["land_use"],
                cols["area_declared"],
                cols["address"],
                cols["ward_id"],
            ],
            [
                lambda v: "" if v != v else f"{int(v)}",
                lambda v: "" if v != v else f"{int(v)}",
                lambda v: lus[v].label(self.lang) if v in lus else f"{v} (?)",
                lambda v: number(v, 1),
                None,
                lambda v: ward_names.get(v, v or ""),
            ],
        )

    def compute_mask(self) -> np.ndarray:
        m = np.ones(len(self.fids), dtype=bool)
        if not self.cols:
            return m
        if self.sheet.value():
            m &= self.cols["sheet_no"] == self.sheet.value()
        if self.parcel.value():
            m &= self.cols["parcel_no"] == self.parcel.value()
        if self.land_use.currentData():
            m &= self.cols["land_use"] == self.land_use.currentData()
        text = fold(self.address.text().strip())
        if text:  # the one search meaning: case- and accent-insensitive, literal
            m &= np.array([text in fold(a) for a in self.cols["address"]], dtype=bool)
        return m
