"""The one place where library versions differ: shapely 1.8 / 2.x, scikit-learn with or without HDBSCAN.

The plugin runs inside whatever Python the city's QGIS ships: Debian 12's QGIS 3.22 (shapely 1.8, numpy 1.24,
scikit-learn 1.2) and QGIS 3.40 LTR on Debian 13, Ubuntu 24.04 and Windows/OSGeo4W (shapely 2, numpy 2,
scikit-learn ≥ 1.3). Code elsewhere calls these helpers instead of testing versions itself.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Optional, Sequence

import numpy as np
import shapely
from shapely.strtree import STRtree

SHAPELY_VERSION = tuple(int(p) for p in shapely.__version__.split(".")[:2] if p.isdigit())
# shapely 2 removed STRtree.query_items (1.8: items/indices) and made query() return indices itself
_QUERY_GIVES_INDICES = not hasattr(STRtree, "query_items")


class GeometryIndex:
    """Bounding-box index over a list of geometries that answers with positions in that list.

    shapely 1.8's `STRtree.query` returns geometries and `query_items` indices; shapely 2's `query` returns
    indices and has no `query_items`. Answers are sorted so both versions give the same order.
    """

    def __init__(self, geoms: Sequence[Any]) -> None:
        self._n = len(geoms)
        with warnings.catch_warnings():  # shapely 1.8 announces the 2.0 STRtree change on construction
            warnings.simplefilter("ignore")
            self._tree = STRtree(list(geoms)) if self._n else None

    def __len__(self) -> int:
        return self._n

    def query(self, geom: Any) -> np.ndarray:
        """Positions (int64, ascending) of the indexed geometries whose box meets the box of `geom`."""
        if self._tree is None or geom is None or geom.is_empty:
            return np.zeros(0, np.int64)
        found = self._tree.query(geom) if _QUERY_GIVES_INDICES else self._tree.query_items(geom)
        return np.sort(np.fromiter((int(k) for k in found), dtype=np.int64))

    def query_many(self, geoms: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
        """(i, j) int64 arrays: input geoms[i] and indexed geometry j have meeting boxes; sorted by (i, j)."""
        if self._tree is None or not len(geoms):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        if _QUERY_GIVES_INDICES:  # one vectorised call in shapely 2
            arr = np.empty(len(geoms), dtype=object)
            arr[:] = [g if g is not None else shapely.Point() for g in geoms]
            i, j = self._tree.query(arr)
            i, j = np.asarray(i, np.int64), np.asarray(j, np.int64)
        else:
            hits = [self.query(g) for g in geoms]
            i = np.repeat(np.arange(len(geoms), dtype=np.int64), [len(h) for h in hits])
            j = np.concatenate(hits) if hits else np.zeros(0, np.int64)
        order = np.lexsort((j, i))
        return i[order], j[order]


def transform_xy(func: Callable[[np.ndarray, np.ndarray], tuple[Any, Any]], geom: Any) -> Any:
    """`geom` with its coordinates replaced by func(x, y) -> (x, y), all numpy arrays (2D result).

    shapely 2.1 deprecates shapely.ops.transform; shapely 1.8 has nothing else.
    """
    if hasattr(shapely, "transform"):  # shapely 2: one call on an (n, 2) coordinate array

        def on_coords(xy: np.ndarray) -> np.ndarray:
            x, y = func(xy[:, 0], xy[:, 1])
            return np.column_stack([np.asarray(x, np.float64), np.asarray(y, np.float64)])

        return shapely.transform(geom, on_coords)
    from shapely.ops import transform

    return transform(lambda x, y, z=None: func(np.asarray(x, np.float64), np.asarray(y, np.float64)), geom)


def geometries_from_wkb(blobs: Sequence[bytes]) -> list[Any]:
    """shapely geometries from WKB: one vectorised call in shapely 2, a loop over shapely.wkb.loads in 1.8."""
    if not len(blobs):
        return []
    if hasattr(shapely, "from_wkb"):
        arr = np.empty(len(blobs), dtype=object)
        arr[:] = list(blobs)
        return list(shapely.from_wkb(arr))
    from shapely import wkb

    return [wkb.loads(bytes(b)) for b in blobs]


def wkb_2d(geom: Any) -> bytes:
    """Little-endian 2D WKB of a shapely geometry (a Z is dropped: GEOS would otherwise write extended WKB)."""
    if hasattr(shapely, "to_wkb"):  # shapely 2
        return shapely.to_wkb(geom, output_dimension=2, byte_order=1)
    from shapely import wkb

    return wkb.dumps(geom, output_dimension=2)


def geometry_bounds(geoms: Sequence[Any]) -> np.ndarray:
    """(n, 4) minx, miny, maxx, maxy of shapely geometries; NaN for None or empty ones."""
    out = np.full((len(geoms), 4), np.nan)
    if not len(geoms):
        return out
    if hasattr(shapely, "bounds"):  # shapely 2: NaN for empty and None already
        arr = np.empty(len(geoms), dtype=object)
        arr[:] = list(geoms)
        return np.asarray(shapely.bounds(arr), dtype=np.float64).reshape(-1, 4)
    from .wkb import wkb_bounds

    # shapely 1.8: the WKB's bytes walked in Python beat `bounds` (GEOS envelope + coordinate copy) 2-3x
    present = [i for i, g in enumerate(geoms) if g is not None and not g.is_empty]
    boxes, unread = wkb_bounds([geoms[i].wkb for i in present])
    for k in np.flatnonzero(unread):
        boxes[k] = geoms[present[k]].bounds
    out[present] = boxes
    return out


def geometries_valid(geoms: Sequence[Any]) -> np.ndarray:
    """GEOS validity (the test QGIS's invalid-geometry check applies) of shapely geometries, as a bool array."""
    if hasattr(shapely, "is_valid") and callable(shapely.is_valid):  # shapely 2: one vectorised call
        arr = np.empty(len(geoms), dtype=object)
        arr[:] = list(geoms)
        return np.asarray(shapely.is_valid(arr), dtype=bool).reshape(-1)
    return np.fromiter((bool(g.is_valid) for g in geoms), dtype=bool, count=len(geoms))


def hdbscan_implementation() -> Optional[str]:
    """ "sklearn" when scikit-learn ≥ 1.3 has HDBSCAN, else "hdbscan" (the separate package), else None."""
    try:
        from sklearn.cluster import HDBSCAN  # noqa: F401

        return "sklearn"
    except ImportError:
        pass
    try:
        import hdbscan  # noqa: F401

        return "hdbscan"
    except ImportError:
        return None


def hdbscan_model(min_cluster_size: int, min_samples: Optional[int] = None) -> Any:
    """An unfitted HDBSCAN estimator from whichever implementation is installed (RuntimeError if none)."""
    impl = hdbscan_implementation()
    if impl == "sklearn":
        from sklearn.cluster import HDBSCAN

        # copy=True: the input is never changed in place (and no FutureWarning from scikit-learn ≥ 1.8)
        return HDBSCAN(min_cluster_size=min_cluster_size, min_samples=min_samples, copy=True)
    if impl == "hdbscan":
        import hdbscan as lib

        return lib.HDBSCAN(min_cluster_size=min_cluster_size, min_samples=min_samples)
    from .dependencies import MissingDependency, is_available

    if not is_available("sklearn"):
        raise MissingDependency("sklearn", "HDBSCAN clustering (scikit-learn ≥ 1.3, or the hdbscan package)")
    raise RuntimeError(
        "HDBSCAN needs scikit-learn 1.3 or newer (or the 'hdbscan' Python package); use DBSCAN, or install one"
    )
