"""Cadastral import, all or nothing: read → check everything in memory → one store transaction.

Every refusal (missing/wrong CRS, damaged file, mixed geometry types, unknown land-use codes, duplicate or
colliding parcel numbers) is raised before the store is touched; the insert itself runs in a single transaction,
so an error or a cancel part-way leaves the store exactly as it was.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np
from shapely import wkb as shapely_wkb
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from ..core.compat import geometry_bounds
from ..core.land_use import land_uses
from ..core.wkb import as_multi_wkb, wkb_finite, wkb_type_code
from . import crs_choice
from .encoding import repair_texts
from .errors import CadastreError, ImportCancelled
from .mapping import REQUIRED, FieldMapping
from .quality import QualityOptions, QualityReport, _strtree, check_quality
from .reader import CadastreData, read_cadastre

Progress = Optional[Callable[[float, str], None]]
Cancelled = Optional[Callable[[], bool]]
CHUNK = 5000


@dataclass
class Prepared:
    rows: list[dict]
    geoms_wgs84: list[BaseGeometry]
    geoms_metric: list[BaseGeometry]
    quality: QualityReport
    source_crs: crs_choice.SourceCrs
    encoding: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    imported: int
    replaced: int
    crs_label: str
    encoding: str
    quality: QualityReport
    sheets: list[int]
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{self.imported} parcels imported ({self.crs_label}; text {self.encoding}). {self.quality.summary()}."
        if self.replaced:
            text += f" {self.replaced} parcels of the same sheets replaced."
        return text


def _listing(items: list, limit: int = 10) -> str:
    shown = ", ".join(str(v) for v in items[:limit])
    return shown + (f" … (+{len(items) - limit} more)" if len(items) > limit else "")


def _to_polygonal(geoms: list[Optional[BaseGeometry]], cad: bool, fids: list[int]) -> tuple[list, list[str]]:
    """MultiPolygon per feature; CAD closed lines become polygons. Anything else refuses the file."""
    out: list[Optional[BaseGeometry]] = []
    problems: Counter = Counter()
    examples: dict[str, list[int]] = {}
    for g, fid in zip(geoms, fids):
        kind = "no geometry" if g is None or g.is_empty else g.geom_type
        if isinstance(g, Polygon):
            out.append(MultiPolygon([g]))
            continue
        if isinstance(g, MultiPolygon):
            out.append(g)
            continue
        if cad and isinstance(g, LineString) and g.is_closed and len(g.coords) >= 4:
            out.append(MultiPolygon([Polygon(g.coords)]))
            continue
        out.append(None)
        problems[kind] += 1
        examples.setdefault(kind, []).append(fid)
    notes = [f"{n} × {k} (features {_listing(examples[k], 5)})" for k, n in problems.items()]
    return out, notes


MAX_AREA_M2 = 1e9  # 1,000 km²: far above any parcel, far below a misread exponent
MAX_TEXT_CHARS = 1000  # an address or owner type, not a document
MAX_NUMBER = 10**9  # sheet and parcel numbers are small positive integers; a 20-digit label is a misread


def _parse_int(values: list, name: str, fids: list[int]) -> np.ndarray:
    out = np.zeros(len(values), dtype=np.int64)
    bad = []
    for k, v in enumerate(values):
        try:
            text = str(v).strip()
            number = int(text) if re.fullmatch(r"[+-]?\d{1,30}", text) else int(float(text))
            if not 1 <= number <= MAX_NUMBER:
                raise ValueError(number)
            out[k] = number
        except (TypeError, ValueError, OverflowError):
            bad.append(fids[k])
    if bad:
        raise CadastreError(
            f"{name}: {len(bad)} features have no valid number (a whole number from 1 to {MAX_NUMBER}; "
            f"features {_listing(bad)})."
        )
    return out


def _parse_float(values: list, fids: Optional[list[int]] = None) -> list[Optional[float]]:
    """Declared areas: a missing/unreadable one is None; zero or negative refuses the file (never stored)."""
    out: list[Optional[float]] = []
    bad = []
    for k, v in enumerate(values):
        try:
            f = float(str(v).replace(",", ".")) if v not in (None, "") else None
        except (ValueError, OverflowError):
            f = None
        f = f if f is None or np.isfinite(f) else None
        if f is not None and not 0 < f <= MAX_AREA_M2:
            bad.append(fids[k] if fids else k)
        out.append(f)
    if bad:
        raise CadastreError(
            f"Declared area (DienTich) must be positive and at most {MAX_AREA_M2:.0e} m²: {len(bad)} features "
            "have zero, negative or absurd areas "
            f"(features {_listing(bad)}). Nothing was imported."
        )
    return out


def _finite(g: BaseGeometry) -> bool:
    """Every vertex finite (GEOS fails with an unreadable message on NaN/Inf deep inside other checks)."""
    polys = getattr(g, "geoms", None) or [g]
    for p in polys:
        rings = [p.exterior, *p.interiors] if getattr(p, "exterior", None) is not None else [p]
        for r in rings:
            if not np.isfinite(np.asarray(r.coords, dtype=np.float64)).all():
                return False
    return True


def _load_shapes(data: CadastreData) -> list[Optional[BaseGeometry]]:
    shapes: list[Optional[BaseGeometry]] = []
    bad = []
    for b, fid in zip(data.wkb, data.fids):
        try:
            # a 2D polygon wrapped as a one-part multipolygon in its bytes: shapely 1.8's MultiPolygon([g])
            # copies every vertex through Python
            g = None if b is None else shapely_wkb.loads(as_multi_wkb(b) if wkb_type_code(b) == 3 else b)
            if g is not None and not g.is_empty:
                finite = wkb_finite(b)  # from the bytes where they can be walked (fast), from the geometry otherwise
                if finite is False or (finite is None and not _finite(g)):
                    raise ValueError("non-finite vertex")
        except Exception:  # noqa: BLE001 - shapely 1.8/2 raise different types for unreadable WKB
            bad.append(fid)
            continue
        shapes.append(g)
    if bad:
        raise CadastreError(
            f"Geometries with unreadable or non-finite (NaN/Infinity) coordinates: features {_listing(bad)}. "
            "Nothing was imported."
        )
    return shapes


def _column(data: CadastreData, source: str, n: int, labels: Optional[dict] = None, key: str = "") -> list:
    """Values for one mapped field: a file column, a constant ('=12'), or CAD text labels."""
    if source.startswith("="):
        return [source[1:]] * n
    if labels is not None and key in labels:
        return labels[key]
    by_lower = {f.lower(): f for f in data.field_names}
    return data.attrs[by_lower[source.lower()]]


_CODE = re.compile(r"^[A-Z]{2,4}$")


def _cad_labels(data: CadastreData, geoms: list[Optional[BaseGeometry]]) -> dict[str, list]:
    """Parcel number, land-use code and area from text labels placed inside each CAD polygon."""
    n = len(geoms)
    out: dict[str, list] = {"parcel_no": [None] * n, "land_use": [None] * n, "area_declared": [None] * n}
    valid = [i for i, g in enumerate(geoms) if g is not None]
    if not valid or not data.labels:
        return out
    tree = _strtree([geoms[i] for i in valid])
    for x, y, text in data.labels:
        pt = Point(x, y)
        hit = next((valid[c] for c in tree.query(pt) if geoms[valid[c]].contains(pt)), None)
        if hit is None:
            continue
        for token in re.split(r"[\s/;]+", text.strip()):
            t = token.strip().upper()
            if not t:
                continue
            if _CODE.match(t) and out["land_use"][hit] is None:
                out["land_use"][hit] = t
            elif re.fullmatch(r"\d+", t) and out["parcel_no"][hit] is None:
                out["parcel_no"][hit] = t
            elif re.fullmatch(r"\d+[.,]\d+", t) and out["area_declared"][hit] is None:
                out["area_declared"][hit] = t.replace(",", ".")
    return out


def _transform(geoms: list[BaseGeometry], ct: Any) -> list[BaseGeometry]:
    from osgeo import ogr

    out = []
    for g in geoms:
        og = ogr.CreateGeometryFromWkb(g.wkb)
        if og.Transform(ct) != 0:
            raise CadastreError("The transformation to WGS 84 failed (check PROJ data / the CRS).")
        out.append(shapely_wkb.loads(bytes(og.ExportToIsoWkb())))
    return out


def prepare(
    path: str | Path,
    mapping: FieldMapping,
    layer: Optional[str] = None,
    quality_options: Optional[QualityOptions] = None,
    progress: Progress = None,
    cancelled: Cancelled = None,
) -> Prepared:
    """Everything up to the store: read, map, decode, check, transform. Raises CadastreError with the reason."""

    def step(frac: float, text: str) -> None:
        if cancelled is not None and cancelled():
            raise ImportCancelled("Import cancelled; nothing was imported.")
        if progress is not None:
            progress(frac, text)

    step(0.0, "Reading the file")
    data = read_cadastre(path, layer, lambda f: progress and progress(0.3 * f, "Reading the file"), cancelled)
    n = len(data)
    if n == 0:
        raise CadastreError(f"{Path(path).name} contains no parcels.")
    warnings = list(data.warnings)
    step(0.3, "Checking geometries")
    shapes = _load_shapes(data)
    geoms, problems = _to_polygonal(shapes, data.is_cad, data.fids)
    if problems and not data.is_cad:
        raise CadastreError(
            "Mixed geometry types: parcels must be polygons, but the file also has " + "; ".join(problems) + "."
        )
    if problems:  # CAD drawings carry annotation lines and points: leave them out, say so
        warnings.append("Not parcels, left out: " + "; ".join(problems))
        keep = [i for i, g in enumerate(geoms) if g is not None]
        if not keep:
            raise CadastreError(f"{Path(path).name} has no closed polygons that could be parcels.")
    else:
        keep = list(range(n))
    labels = _cad_labels(data, geoms) if data.is_cad else None
    # attributes (all rows, then the kept ones)
    missing = [] if data.is_cad else mapping.missing(data.field_names)
    missing = [m for m in missing if not m.split(" ← ")[-1].startswith("=")]
    if missing:
        raise CadastreError(
            "Field mapping does not match the file: " + "; ".join(missing) + f". Fields in the file: "
            f"{', '.join(data.field_names) or '(none)'}."
        )
    cols: dict[str, list] = {}
    for target in ("sheet_no", "parcel_no", "area_declared", "land_use", "address", "owner_type"):
        source = getattr(mapping, target)
        if data.is_cad and target in ("parcel_no", "land_use", "area_declared") and not source.startswith("="):
            if source and source.lower() in {f.lower() for f in data.field_names}:
                cols[target] = [_column(data, source, n)[i] for i in keep]
            else:
                cols[target] = [labels[target][i] for i in keep] if labels else [None] * len(keep)
        elif source:
            if (
                data.is_cad
                and not source.startswith("=")
                and source.lower() not in {f.lower() for f in data.field_names}
            ):
                if target in REQUIRED:
                    raise CadastreError(
                        f"{target} is mapped to '{source}', which the drawing does not have; "
                        "for DGN/DXF give a constant such as '=12' for the sheet number."
                    )
                cols[target] = [None] * len(keep)
            else:
                col = _column(data, source, n)
                cols[target] = [col[i] for i in keep]
        else:
            cols[target] = [None] * len(keep)
    fids = [data.fids[i] for i in keep]
    geoms = [geoms[i] for i in keep]
    # legacy text encodings: one decision for the whole file
    text_targets = ("land_use", "address", "owner_type")
    flat = [str(v) for t in text_targets for v in cols[t] if v not in (None, "")]
    _, encoding = repair_texts(flat, mapping.encoding or "auto")
    long_texts = [fids[k] for t in text_targets for k, v in enumerate(cols[t]) if v and len(str(v)) > MAX_TEXT_CHARS]
    if long_texts:
        raise CadastreError(
            f"Texts longer than {MAX_TEXT_CHARS} characters (land use, address or owner type): features "
            f"{_listing(sorted(set(long_texts)))}. Nothing was imported."
        )
    replaced = 0
    for t in text_targets:
        vals = ["" if v is None else str(v) for v in cols[t]]
        cols[t], _ = repair_texts(vals, encoding)
        replaced += sum(1 for a, b in zip(vals, cols[t]) if "\ufffd" in b and "\ufffd" not in a)
    if replaced:
        warnings.append(
            f"{replaced} texts contain bytes that are not valid {encoding} and were replaced by '\ufffd': "
            "the file is probably in another encoding (TCVN3, VNI, Windows-1258) — choose it and import again."
        )
    sheet = _parse_int(cols["sheet_no"], "Sheet number (SoHieuToBanDo)", fids)
    parcel = _parse_int(cols["parcel_no"], "Parcel number (SoThuTuThua)", fids)
    codes = [c.strip().upper() for c in cols["land_use"]]
    known = land_uses()
    unknown = Counter(c or "(empty)" for c in codes if c not in known)
    if unknown:
        listing = ", ".join(f"{c} ({k}×)" for c, k in unknown.most_common())
        raise CadastreError(
            f"Unknown land-use codes (KyHieuMucDichSuDung): {listing}. Known codes are listed in "
            "layers/land_use_codes.json; correct the file or add the codes there. Nothing was imported."
        )
    pairs = Counter(zip(sheet.tolist(), parcel.tolist()))
    dups = [f"{s}/{p}" for (s, p), k in pairs.items() if k > 1]
    if dups:
        raise CadastreError(f"Duplicate sheet/parcel numbers in the file: {_listing(sorted(dups))}.")
    # CRS and where the data lands
    step(0.4, "Checking the CRS")
    source = crs_choice.resolve(data.srs_wkt, mapping.province)
    if source.note:
        warnings.append(source.note)
    bounds = _bounds(geoms)
    crs_choice.check_extent(bounds, source)
    ct = crs_choice.to_wgs84(source)
    corners = _transform([Polygon.from_bounds(*bounds)], ct)[0].bounds if bounds[2] > bounds[0] else None
    crs_choice.check_extent(bounds, source, corners)
    metric = geoms
    if source.geographic or "+proj=longlat" in source.definition:
        to_m = crs_choice.SourceCrs(crs_choice.projected_for(source), "metric")
        metric = _transform_between(geoms, source, to_m)
    step(0.45, "Checking quality")
    declared = _parse_float(cols["area_declared"], fids)
    try:
        quality = check_quality(
            metric,
            declared,
            quality_options,
            cancelled,
            lambda f: progress and progress(0.45 + 0.3 * f, "Checking quality"),
        )
    except CadastreError:
        raise
    except Exception as exc:  # noqa: BLE001 - GEOS on a hostile geometry: refuse the file, say why
        raise CadastreError(
            f"The geometry checks failed on this file ({type(exc).__name__}: {str(exc)[:150]}). Nothing was imported."
        ) from exc
    for i, fixed in quality.repaired.items():
        geoms[i] = _as_multi(fixed) if not source.geographic else geoms[i]
    unfixable = [i for i in quality.issues if i.kind == "invalid" and i.index not in quality.repaired]
    if unfixable:
        raise CadastreError(
            "Invalid geometries that cannot be repaired: "
            + _listing([f"feature {fids[i.index]} ({i.reason})" for i in unfixable], 5)
            + "."
        )
    step(0.75, "Transforming to WGS 84")
    wgs = geoms if source.definition == "EPSG:4326" else _transform(geoms, ct)
    wgs = [_as_multi(g) for g in wgs]
    rows = [
        {
            "parcel_id": f"{int(sheet[k])}-{int(parcel[k])}",
            "sheet_no": int(sheet[k]),
            "parcel_no": int(parcel[k]),
            "area_declared": declared[k],
            "land_use": codes[k],
            "owner_type": cols["owner_type"][k] or None,
            "address": cols["address"][k] or None,
            "ward_id": "",
        }
        for k in range(len(geoms))
    ]
    return Prepared(rows, wgs, metric, quality, source, encoding, warnings)


def _as_multi(g: BaseGeometry) -> BaseGeometry:
    return MultiPolygon([g]) if isinstance(g, Polygon) else g


def _bounds(geoms: list[BaseGeometry]) -> tuple[float, float, float, float]:
    b = geometry_bounds(geoms)
    return float(np.nanmin(b[:, 0])), float(np.nanmin(b[:, 1])), float(np.nanmax(b[:, 2])), float(np.nanmax(b[:, 3]))


def _transform_between(geoms: list, src: crs_choice.SourceCrs, dst: crs_choice.SourceCrs) -> list:
    from osgeo import osr

    s, d = osr.SpatialReference(), osr.SpatialReference()
    s.ImportFromProj4(src.definition) if src.definition.startswith("+") else s.ImportFromWkt(src.definition)
    d.ImportFromProj4(dst.definition)
    for r in (s, d):
        r.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return _transform(geoms, osr.CoordinateTransformation(s, d))


def _assign_wards(store: Any, rows: list[dict], geoms: list[BaseGeometry]) -> None:
    """ward_id from the ward containing each parcel's representative point (when the store has wards)."""
    try:
        wards = store.fetch("wards", columns=["ward_id"], geometry=True)
    except Exception:  # noqa: BLE001 - no wards table / empty: parcels keep an empty ward
        return
    wards = [w for w in wards if w.get("geom") is not None]
    if not wards:
        return
    tree = _strtree([w["geom"] for w in wards])
    for row, g in zip(rows, geoms):
        pt = g.representative_point()
        for c in tree.query(pt):
            if wards[c]["geom"].contains(pt):
                row["ward_id"] = wards[c]["ward_id"]
                break


def import_cadastre(
    path: str | Path,
    store: Any,
    mapping: FieldMapping,
    layer: Optional[str] = None,
    mode: str = "append",
    quality_options: Optional[QualityOptions] = None,
    progress: Progress = None,
    cancelled: Cancelled = None,
) -> ImportResult:
    """Import parcels into the store. mode: 'append' (refuse parcel numbers already stored) or 'replace_sheets'
    (the file's sheets replace the stored parcels of those sheets)."""
    if mode not in ("append", "replace_sheets"):
        raise ValueError(f"unknown import mode {mode!r}")
    prep = prepare(path, mapping, layer, quality_options, progress, cancelled)
    rows = prep.rows
    sheets = sorted({r["sheet_no"] for r in rows})
    _assign_wards(store, rows, prep.geoms_wgs84)
    if mode == "append":
        ids = [r["parcel_id"] for r in rows]
        taken: list[str] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            found = store.fetch("parcels", f"parcel_id IN ({', '.join('?' * len(chunk))})", chunk, ["parcel_id"])
            taken += [r["parcel_id"] for r in found]
        if taken:
            raise CadastreError(
                f"{len(taken)} parcels are already in the store (sheet-parcel {_listing(sorted(taken))}); "
                "choose 'replace sheets' to update them. Nothing was imported."
            )
    replaced = 0
    n = len(rows)
    with store.transaction():
        if mode == "replace_sheets":
            marks = ", ".join("?" * len(sheets))
            replaced = store.count("parcels", f"sheet_no IN ({marks})", sheets)
            store._execute(f"DELETE FROM {store._qualified('parcels')} WHERE sheet_no IN ({marks})", sheets)
        for start in range(0, n, CHUNK):
            if cancelled is not None and cancelled():
                raise ImportCancelled("Import cancelled; the store was left unchanged.")
            if progress is not None:
                progress(0.8 + 0.2 * start / n, "Writing parcels")
            store.insert("parcels", rows[start : start + CHUNK], prep.geoms_wgs84[start : start + CHUNK])
        store.set_meta(
            "last_cadastre_import",
            json.dumps(
                {"file": Path(path).name, "parcels": n, "sheets": sheets, "crs": prep.source_crs.label},
                ensure_ascii=False,
            ),
        )
    if hasattr(store, "update_extents"):
        store.update_extents()
    if progress is not None:
        progress(1.0, "Done")
    return ImportResult(n, replaced, prep.source_crs.label, prep.encoding, prep.quality, sheets, prep.warnings)
