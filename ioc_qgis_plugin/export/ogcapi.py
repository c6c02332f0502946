"""OGC API – Features target: publish the exported GeoPackage as collections of a pygeoapi server.

pygeoapi serves what its YAML configuration lists; publishing = copy the GeoPackage into the server's data folder
(skipped when the checksum is unchanged) and add/replace one resource per table in the configuration (OGR
provider on the GeoPackage layer). With `base_url`, each collection is then read back over HTTP
(/collections/{id}/items) and its numberMatched compared with the exported row count.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

import requests
import yaml

from .package import DatasetInfo, Distribution, bbox, sha256_file, temporal_range
from .select import ExportTable


class OgcApiError(Exception):
    pass


@dataclass
class OgcOutcome:
    url: str
    collections: list[str] = field(default_factory=list)
    verified: dict[str, int] = field(default_factory=dict)
    message: str = ""


def collection_id(info: DatasetInfo, table: str) -> str:
    return f"{info.name}-{table}".replace("_", "-")


def resource_config(info: DatasetInfo, table: ExportTable, gpkg: Path) -> dict:
    box = bbox(table) or (-180.0, -90.0, 180.0, 90.0)
    start, end = temporal_range([table])
    return {
        "type": "collection",
        "title": f"{info.title} — {table.title}",
        "description": info.description or table.title,
        "keywords": sorted(set(info.keywords)) or [table.name],
        "links": [],
        "extents": {
            "spatial": {"bbox": [round(v, 7) for v in box], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"},
            **({"temporal": {"begin": start, "end": end}} if start else {}),
        },
        "providers": [
            {
                "type": "feature",
                "name": "OGR",
                "data": {"source_type": "GPKG", "source": str(gpkg)},
                "id_field": table.columns[0] if table.columns else "fid",
                "layer": table.name,
            }
        ],
    }


def base_config(url: str, host: str = "127.0.0.1", port: int = 5000) -> dict:
    """A minimal pygeoapi server configuration for a new deployment (the demo and the tests)."""
    return {
        "server": {
            "bind": {"host": host, "port": port},
            "url": url,
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "language": "en-US",
            "limits": {"default_items": 100, "max_items": 10000},
            "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attribution": "OpenStreetMap"},
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": "IOC open data",
                "description": "Anonymised open data of the city's Intelligent Operations Centre",
                "keywords": ["IOC", "open data"],
                "keywords_type": "theme",
                "terms_of_service": "",
                "url": url,
            },
            "license": {"name": "CC-BY-4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
            "provider": {"name": "IOC", "url": url},
            "contact": {"name": "IOC", "email": "", "url": url, "role": "pointOfContact"},
        },
        "resources": {},
    }


def publish_collections(
    tables: Sequence[ExportTable],
    dists: Sequence[Distribution],
    info: DatasetInfo,
    data_dir: Path,
    config: Path,
    base_url: str = "",
    progress: Optional[Callable[[float, str], None]] = None,
    verify_timeout: float = 30.0,
) -> OgcOutcome:
    say = progress or (lambda p, m: None)
    gpkg_src = next((d for d in dists if d.path.suffix == ".gpkg"), None)
    if gpkg_src is None:
        raise OgcApiError("the export has no GeoPackage to publish")
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / gpkg_src.path.name
    if not target.exists() or sha256_file(target) != gpkg_src.sha256:
        say(10, f"copying {target.name} to {data_dir}")
        tmp = target.with_suffix(".part")
        shutil.copyfile(gpkg_src.path, tmp)
        os.replace(tmp, target)  # a running server never sees a half-copied file
    cfg = yaml.safe_load(config.read_text(encoding="utf-8")) if config.exists() else None
    if not isinstance(cfg, dict):
        cfg = base_config(base_url or "http://127.0.0.1:5000")
    cfg.setdefault("resources", {})
    out = OgcOutcome(url=base_url)
    for t in tables:
        if t.geometry_type is None:
            continue  # OGC API – Features serves features; attribute tables stay in the file package
        cid = collection_id(info, t.name)
        cfg["resources"][cid] = resource_config(info, t, target.resolve())
        out.collections.append(cid)
    tmp_cfg = config.with_suffix(".part")
    tmp_cfg.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    os.replace(tmp_cfg, config)
    say(60, f"{len(out.collections)} collections in {config}")
    if base_url:
        for t in tables:
            if t.geometry_type is None:
                continue
            cid = collection_id(info, t.name)
            out.verified[cid] = verify_collection(base_url, cid, len(t), verify_timeout)
        out.message = f"{len(out.collections)} collections served at {base_url}/collections (verified)"
    else:
        out.message = f"{len(out.collections)} collections configured in {config}; (re)start pygeoapi to serve them"
    return out


def verify_collection(base_url: str, cid: str, expected: int, timeout: float = 30.0) -> int:
    url = f"{base_url.rstrip('/')}/collections/{cid}/items"
    try:
        # resulttype=hits is pygeoapi's (and WFS's) count-only request; servers that ignore it answer a page
        resp = requests.get(url, params={"f": "json", "limit": 1, "resulttype": "hits"}, timeout=timeout)
    except requests.RequestException as exc:
        raise OgcApiError(f"the OGC API server at {base_url} cannot be reached: {type(exc).__name__}") from exc
    if resp.status_code == 404:
        raise OgcApiError(f"{cid} is not served yet at {base_url}: restart pygeoapi so it reads the new configuration")
    if resp.status_code != 200:
        raise OgcApiError(f"{url} answered HTTP {resp.status_code}")
    body = resp.json()
    if not isinstance(body, dict) or body.get("type") != "FeatureCollection":
        raise OgcApiError(f"{url} did not answer a GeoJSON FeatureCollection")
    matched = body.get("numberMatched")  # optional in the standard: -1 = the server does not count
    if matched is not None and int(matched) != expected:
        raise OgcApiError(f"{cid}: the server has {matched} features, the export {expected}")
    return int(matched if matched is not None else -1)
