"""Which CRS a delivered cadastral file is in, and the transformation to WGS 84 that uses VN-2000's own shift.

Files from MicroStation/ArcGIS often carry a .prj without the datum shift (or claim WGS 84 with VN-2000 TM-3
parameters); without +towgs84 PROJ would treat VN-2000 as WGS 84 and move every parcel by ~1 m or more, so a
VN-2000 TM-3/UTM definition is always rebuilt with the registry's 7-parameter shift.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

from ..core.crs import ProvinceCrs, load_registry
from .errors import CadastreError

# Vietnam, with the offshore islands: a transformed extent outside this box means a wrong CRS.
VIETNAM_LONLAT = (101.0, 6.0, 118.0, 24.0)


@dataclass(frozen=True)
class SourceCrs:
    definition: str  # PROJ string or WKT for the source
    label: str
    province: Optional[ProvinceCrs] = None
    note: str = ""
    geographic: bool = False


def _dms(deg: float) -> str:
    d = int(deg)
    m = round((deg - d) * 60)
    return f"{d}°{m:02d}′"


def _tm3(meridian: float, towgs84: tuple[float, ...]) -> str:
    shift = ",".join(f"{v:.9g}" for v in towgs84)
    return (
        f"+proj=tmerc +lat_0=0 +lon_0={meridian:g} +k=0.9999 +x_0=500000 +y_0=0 "
        f"+ellps=WGS84 +towgs84={shift} +units=m +no_defs"
    )


def _shift() -> tuple[float, ...]:
    return next(iter(load_registry().values())).towgs84


def _is_vn2000(srs) -> bool:  # noqa: ANN001 - osr.SpatialReference
    datum = (srs.GetAttrValue("DATUM") or "").lower().replace("-", "_").replace(" ", "_")
    code = srs.GetAuthorityCode("GEOGCS")
    if "vietnam" in datum or "vn_2000" in datum or "vn2000" in datum or code == "4756":
        return True
    shift = srs.GetTOWGS84() if srs.GetAttrValue("TOWGS84") is not None else None
    return bool(shift) and all(abs(a - b) < 1e-6 for a, b in zip(shift, _shift()))


def province_crs(code: str) -> ProvinceCrs:
    registry = load_registry()
    if code not in registry:
        raise CadastreError(f"Province '{code}' is not in the CRS registry (known: {', '.join(sorted(registry))}).")
    return registry[code]


def resolve(srs_wkt: str, province_code: str = "") -> SourceCrs:
    """Source CRS of a file from its WKT ('' = none) and the province the user picked ('' = none)."""
    from osgeo import osr

    prov = province_crs(province_code) if province_code else None
    if not srs_wkt:
        if prov is None:
            raise CadastreError(
                "The file has no coordinate reference system (no .prj / CRS in the file). "
                "Choose the province so the VN-2000 / TM-3 projection of its central meridian is used."
            )
        return SourceCrs(
            prov.proj4,
            f"VN-2000 / TM-3 {_dms(prov.central_meridian)} ({prov.name})",
            prov,
            "the file has no CRS: the province's VN-2000 / TM-3 was assumed",
        )
    srs = osr.SpatialReference()
    if srs.ImportFromWkt(srs_wkt) != 0:
        raise CadastreError("The file's CRS definition cannot be read; fix the .prj or remove it and pick a province.")
    if srs.IsGeographic():
        if _is_vn2000(srs):
            shift = ",".join(f"{v:.9g}" for v in _shift())
            return SourceCrs(f"+proj=longlat +ellps=WGS84 +towgs84={shift} +no_defs", "VN-2000 (geographic)", prov)
        return SourceCrs(srs_wkt, srs.GetName() or "geographic", prov, geographic=True)
    if not srs.IsProjected():
        raise CadastreError(f"The file's CRS '{srs.GetName()}' is neither projected nor geographic.")
    method = (srs.GetAttrValue("PROJECTION") or "").lower()
    lon0 = srs.GetProjParm(osr.SRS_PP_CENTRAL_MERIDIAN, float("nan"))
    k = srs.GetProjParm(osr.SRS_PP_SCALE_FACTOR, 1.0)
    x0 = srs.GetProjParm(osr.SRS_PP_FALSE_EASTING, 0.0)
    tm = "transverse_mercator" in method
    if not all(math.isfinite(v) for v in (k, x0)) or (tm and not (math.isfinite(lon0) and -180 <= lon0 <= 180)):
        raise CadastreError("The file's CRS has unreadable parameters (central meridian, scale or false easting).")
    if tm and abs(k - 0.9999) < 1e-7 and abs(x0 - 500000.0) < 1e-3:
        note = "" if _is_vn2000(srs) else "the file's datum is not VN-2000 but its parameters are VN-2000 / TM-3"
        if prov is not None and abs(prov.central_meridian - lon0) > 1e-6:
            raise CadastreError(
                f"Wrong CRS: the file is in TM-3 with central meridian {_dms(lon0)}, but {prov.name} uses "
                f"{_dms(prov.central_meridian)}. Choose the right province or correct the file's .prj."
            )
        match = prov or next((p for p in load_registry().values() if abs(p.central_meridian - lon0) < 1e-6), None)
        label = f"VN-2000 / TM-3 {_dms(lon0)}" + (f" ({match.name})" if match else "")
        return SourceCrs(_tm3(lon0, _shift()), label, match, note)
    if tm and abs(k - 0.9996) < 1e-7 and _is_vn2000(srs):
        shift = ",".join(f"{v:.9g}" for v in _shift())
        zone_def = (
            f"+proj=tmerc +lat_0=0 +lon_0={lon0:g} +k=0.9996 +x_0={x0:g} +y_0=0 +ellps=WGS84 "
            f"+towgs84={shift} +units=m +no_defs"
        )
        return SourceCrs(zone_def, f"VN-2000 / UTM {_dms(lon0)}", prov)
    return SourceCrs(srs_wkt, srs.GetName() or "projected", prov, "CRS used as declared in the file")


def to_wgs84(source: SourceCrs):  # noqa: ANN201 - osr.CoordinateTransformation
    """OGR transformation source → EPSG:4326 in lon/lat order (GDAL 3 would otherwise swap to lat/lon)."""
    from osgeo import osr

    src = osr.SpatialReference()
    ok = (
        src.ImportFromProj4(source.definition)
        if source.definition.startswith("+")
        else src.ImportFromWkt(source.definition)
    )
    if ok != 0:
        raise CadastreError(f"Cannot build the CRS '{source.label}'.")
    dst = osr.SpatialReference()
    dst.ImportFromEPSG(4326)
    for s in (src, dst):
        s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return osr.CoordinateTransformation(src, dst)


def projected_for(source: SourceCrs) -> str:
    """PROJ definition in metres to measure areas/overlaps in: the source itself unless it is geographic."""
    if not source.geographic and "+proj=longlat" not in source.definition:
        return source.definition
    prov = source.province or load_registry().get("DN") or next(iter(load_registry().values()))
    return prov.proj4


def check_extent(bounds: tuple[float, float, float, float], source: SourceCrs, lonlat_bounds=None) -> None:  # noqa: ANN001
    """Refuse data that cannot be where it says: degrees in a metre CRS, or landing outside Vietnam."""
    xmin, ymin, xmax, ymax = bounds
    degrees = xmin >= -180 and xmax <= 180 and ymin >= -90 and ymax <= 90
    metric = not source.geographic and "+proj=longlat" not in source.definition
    if metric and degrees:
        raise CadastreError(
            f"Wrong CRS: the coordinates look like degrees (x {xmin:.4f}…{xmax:.4f}) but the CRS is "
            f"{source.label} in metres. The file is probably in WGS 84 / VN-2000 geographic: fix its .prj."
        )
    if lonlat_bounds is not None:
        lx0, ly0, lx1, ly1 = lonlat_bounds
        vx0, vy0, vx1, vy1 = VIETNAM_LONLAT
        if not (vx0 <= lx0 and lx1 <= vx1 and vy0 <= ly0 and ly1 <= vy1):
            raise CadastreError(
                f"Wrong CRS: in {source.label} the parcels land at lon {lx0:.3f}…{lx1:.3f}, lat {ly0:.3f}…{ly1:.3f}, "
                "outside Vietnam. Check the province (central meridian) and the file's .prj."
            )
