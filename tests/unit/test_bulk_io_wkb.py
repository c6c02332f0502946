"""WKB helpers of the bulk writer (issue 20): envelopes read from the bytes, single → multi, GeoPackage blobs."""

from __future__ import annotations

import struct

import numpy as np
from shapely import wkb
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from ioc_qgis_plugin.core.wkb import as_multi_wkb, wkb_bounds, wkb_type_code
from ioc_qgis_plugin.processing.bulk_io import gpkg_wkb_blobs

SQUARE = Polygon([(0, 0), (4, 0), (4, 3), (0, 3)], [[(1, 1), (2, 1), (2, 2), (1, 2)]])
SHAPES = [
    SQUARE,
    MultiPolygon([SQUARE, Polygon([(10, -5), (12, -5), (12, -1)])]),
    LineString([(0.5, 7), (-3, 2)]),
    Point(705_000.25, 1_210_000.5),
    Polygon(),
]


def test_bounds_from_the_bytes_equal_shapely() -> None:
    box, unread = wkb_bounds([g.wkb for g in SHAPES] + [None])
    assert not unread.any()
    np.testing.assert_array_equal(box[:4], np.array([g.bounds for g in SHAPES[:4]]))
    assert np.isnan(box[4:]).all()  # empty and missing geometries have no envelope


def test_what_the_walker_cannot_read_is_flagged() -> None:
    z = Point(1, 2, 3).wkb
    big = wkb.dumps(SQUARE, big_endian=True)
    _, unread = wkb_bounds([z, big, SQUARE.wkb])
    assert unread.tolist() == [True, True, False]


def test_single_parts_become_one_part_multis() -> None:
    for single, multi_code in ((Point(3, 4), 4), (LineString([(0, 0), (1, 1)]), 5), (SQUARE, 6)):
        out = as_multi_wkb(single.wkb)
        assert wkb_type_code(out) == multi_code
        back = wkb.loads(out)
        assert len(back.geoms) == 1 and back.geoms[0].equals(single)
    already = SHAPES[1].wkb
    assert as_multi_wkb(already) == already


def test_geopackage_blobs_carry_srs_envelope_and_the_wkb() -> None:
    blobs = [g.wkb for g in SHAPES[:2]] + [Polygon().wkb, None]
    box, _ = wkb_bounds(blobs)
    out = gpkg_wkb_blobs(blobs, box, 5899)
    assert out[3] is None
    magic, version, flags, srs = struct.unpack_from("<2sBBi", out[0])
    assert (magic, version, flags, srs) == (b"GP", 0, 0b011, 5899)
    assert struct.unpack_from("<4d", out[1], 8) == (0.0, 12.0, -5.0, 3.0)  # minx, maxx, miny, maxy
    assert out[1][40:] == blobs[1]
    assert out[2][3] & 0b10000 and out[2][8:] == blobs[2]  # empty flag, no envelope


def test_wkb_2d_drops_z_as_plain_wkb() -> None:
    from ioc_qgis_plugin.core.compat import wkb_2d

    flat = wkb_2d(Polygon([(0, 0, 5), (1, 0, 5), (1, 1, 5)]))
    assert wkb_type_code(flat) == 3 and not wkb.loads(flat).has_z
    assert wkb_bounds([flat])[0][0].tolist() == [0.0, 0.0, 1.0, 1.0]


def test_finiteness_from_the_bytes() -> None:
    """NaN or Infinity in any ring (holes and later parts too) is found; what cannot be walked says so (None)."""
    from ioc_qgis_plugin.core.wkb import wkb_finite

    assert all(wkb_finite(g.wkb) for g in SHAPES)
    for bad in (float("nan"), float("inf"), -float("inf")):
        hole = Polygon([(0, 0), (4, 0), (4, 3), (0, 3)], [[(1, 1), (2, 1), (bad, 2), (1, 2)]])
        second = MultiPolygon([SQUARE, Polygon([(10, -5), (12, -5), (12, bad)])])
        assert wkb_finite(hole.wkb) is False and wkb_finite(second.wkb) is False
    assert wkb_finite(Point(1, 2, 3).wkb) is None and wkb_finite(wkb.dumps(SQUARE, big_endian=True)) is None


def test_geometry_bounds_and_geopackage_envelopes_equal_shapely() -> None:
    """The walked envelopes (shapely 1.8's path) equal shapely's own, also where the walker falls back (Z)."""
    from ioc_qgis_plugin.core.compat import geometry_bounds
    from ioc_qgis_plugin.store.gpkg_geometry import encode

    z = Polygon([(0, 0, 5), (3, 0, 5), (3, 2, 5)])
    shapes = [*SHAPES[:4], z, None, Polygon()]
    got = geometry_bounds(shapes)
    np.testing.assert_array_equal(got[:5], np.array([g.bounds for g in shapes[:5]]))
    assert np.isnan(got[5:]).all()
    for g in (SQUARE, SHAPES[1], z):
        minx, miny, maxx, maxy = g.bounds
        assert encode(g, 5899)[8:40] == struct.pack("<4d", minx, maxx, miny, maxy)
