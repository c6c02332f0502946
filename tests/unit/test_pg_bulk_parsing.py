"""The QGIS-free parts of the PostGIS column-wise reader: CSV cells, binary COPY rows, Qt's millisecond rounding."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from ioc_qgis_plugin.processing.bulk_io import NotColumnar
from ioc_qgis_plugin.processing.pg_bulk import COPY_SIGNATURE, _csv_columns, _fixed_rows, _qt_epoch


def test_csv_fast_split_equals_csv_module() -> None:
    text = "3,traffic,W01\n1,,W02\n2,trật tự đô thị,\n"
    keys, cols = _csv_columns(text, 3)
    assert keys.tolist() == [3, 1, 2]
    assert [c.tolist() for c in cols] == [["traffic", "", "trật tự đô thị"], ["W01", "W02", ""]]


def test_csv_quoted_cells_go_through_the_csv_module() -> None:
    text = '7,"đèn ""hỏng"", cột 3",""\n8,"two\nlines",x\n'
    keys, cols = _csv_columns(text, 3)
    assert keys.tolist() == [7, 8]
    assert cols[0].tolist() == ['đèn "hỏng", cột 3', "two\nlines"] and cols[1].tolist() == ["", "x"]


def test_csv_empty() -> None:
    keys, cols = _csv_columns("", 2)
    assert len(keys) == 0 and len(cols[0]) == 0


@pytest.mark.parametrize(
    "digits, ms",
    [(1239, 124), (1234, 123), (9996, 999), (4, 0), (5065, 506), (5045, 504), (5000, 500), (0, 0)],
)
def test_fraction_digits_become_qt_milliseconds(digits: int, ms: int) -> None:
    # Qt: min(qRound(digits / 10^4 * 1000), 999) in doubles — 0.5065 * 1000 is just below 506.5
    got = _qt_epoch(np.array([1_735_718_400.0]), np.array([float(digits)]))
    assert got[0] == (1_735_718_400 * 1000 + ms) / 1000.0


def copy_binary(rows: list[tuple]) -> bytes:
    out = COPY_SIGNATURE + struct.pack(">ii", 0, 0)
    for key, *values in rows:
        out += struct.pack(">hiq", 1 + len(values), 8, key)
        for v in values:
            out += struct.pack(">id", 8, v)
    return out + struct.pack(">h", -1)


def test_fixed_rows_read_straight_into_numpy() -> None:
    rows = _fixed_rows(copy_binary([(5, 1.5, np.nan), (-2, 3.0, 4.25)]), 3)
    assert rows["v0"].tolist() == [5, -2]
    assert rows["v1"].tolist() == [1.5, 3.0] and np.isnan(rows["v2"][0]) and rows["v2"][1] == 4.25


def test_fixed_rows_refuse_a_null() -> None:
    raw = COPY_SIGNATURE + struct.pack(">ii", 0, 0) + struct.pack(">hiqi", 2, 8, 1, -1) + struct.pack(">h", -1)
    with pytest.raises(NotColumnar):
        _fixed_rows(raw, 2)
