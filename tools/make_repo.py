"""`make repo`: a QGIS plugin repository a province hosts on any web server (plugins.xml + the zips).

QGIS's Plugin Manager reads plugins.xml from the repository address and offers the newest version it lists;
cities add the address once (Plugins ▸ Manage and Install Plugins ▸ Settings ▸ Add…) and get updates like any
other plugin. Each run adds the given zip to the folder (older zips stay, for a rollback) and rewrites
plugins.xml for the newest version present. The metadata comes from the metadata.txt inside the zip itself.

    python3 tools/make_repo.py --zip dist/ioc_qgis_plugin-0.1.0.zip --out dist/repo \
        --base-url https://gis.example-province.gov.vn/qgis-plugins/
"""

from __future__ import annotations

import argparse
import configparser
import hashlib
import re
import shutil
import sys
import xml.etree.ElementTree as ET
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlparse


class RepoError(Exception):
    pass


def read_metadata(zip_path: Path) -> tuple[str, dict[str, str]]:
    """(plugin folder name, [general] of its metadata.txt) from a plugin zip."""
    try:
        with zipfile.ZipFile(zip_path) as zf:
            tops = {n.split("/")[0] for n in zf.namelist()}
            if len(tops) != 1:
                raise RepoError(f"{zip_path}: a plugin zip has exactly one top folder, found {sorted(tops)}")
            top = tops.pop()
            try:
                text = zf.read(f"{top}/metadata.txt").decode("utf-8")
            except KeyError:
                raise RepoError(f"{zip_path}: no {top}/metadata.txt") from None
    except zipfile.BadZipFile as exc:
        raise RepoError(f"{zip_path}: not a zip file ({exc})") from None
    meta = configparser.ConfigParser(interpolation=None)
    meta.read_string(text)
    if "general" not in meta:
        raise RepoError(f"{zip_path}: metadata.txt has no [general] section")
    general = dict(meta["general"])
    for key in ("name", "version", "qgisminimumversion", "description", "about", "author"):
        if not general.get(key, "").strip():
            raise RepoError(f"{zip_path}: metadata.txt lacks '{key}'")
    return top, general


def version_key(version: str) -> tuple:
    """Orders 0.1.0 < 0.1.1 < 0.2.0 < 0.10.0; a pre-release suffix (0.2.0-rc1) sorts before the release."""
    m = re.match(r"^v?(\d+(?:\.\d+)*)(.*)$", version.strip())
    if not m:
        return ((), version)
    nums = tuple(int(p) for p in m.group(1).split("."))
    return (nums, 0 if m.group(2) else 1, m.group(2))


def _three(version: str) -> str:
    parts = (version.strip().split(".") + ["0", "0"])[:3]
    return ".".join(parts)


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()  # noqa: S324 - the field QGIS repositories publish


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _content_digest(path: Path) -> str:
    """Digest of the files inside a zip (names and bytes), so a rebuilt zip of the same code compares equal."""
    h = hashlib.sha256()
    with zipfile.ZipFile(path) as zf:
        for name in sorted(zf.namelist()):
            h.update(name.encode("utf-8") + b"\0" + zf.read(name) + b"\0")
    return h.hexdigest()


def _text(parent: ET.Element, tag: str, value: str) -> None:
    ET.SubElement(parent, tag).text = value


def plugin_element(zip_path: Path, base_url: str, first_seen: datetime) -> ET.Element:
    top, g = read_metadata(zip_path)
    version = g["version"].strip()
    el = ET.Element("pyqgis_plugin", {"name": g["name"].strip(), "version": version, "plugin_id": top})
    updated = datetime.fromtimestamp(zip_path.stat().st_mtime, timezone.utc)
    fields = [
        ("description", g.get("description", "")),
        ("about", g.get("about", "")),
        ("version", version),
        ("qgis_minimum_version", _three(g["qgisminimumversion"])),
        ("qgis_maximum_version", _three(g.get("qgismaximumversion", g["qgisminimumversion"].split(".")[0] + ".99"))),
        ("homepage", g.get("homepage", "")),
        ("file_name", zip_path.name),
        ("icon", base_url + f"{top}.svg" if (zip_path.parent / f"{top}.svg").exists() else ""),
        ("author_name", g.get("author", "")),
        ("author_email", g.get("email", "")),
        ("download_url", base_url + zip_path.name),
        ("md5_sum", _md5(zip_path)),
        ("uploaded_by", g.get("author", "")),
        ("create_date", first_seen.isoformat(timespec="seconds")),
        ("update_date", updated.isoformat(timespec="seconds")),
        ("experimental", "True" if g.get("experimental", "False").strip().lower() in ("true", "yes", "1") else "False"),
        ("deprecated", "True" if g.get("deprecated", "False").strip().lower() in ("true", "yes", "1") else "False"),
        ("trusted", "False"),
        ("tracker", g.get("tracker", "")),
        ("repository", g.get("repository", "")),
        ("tags", g.get("tags", "")),
        ("category", g.get("category", "")),
        ("changelog", g.get("changelog", "")),
        ("downloads", "0"),
        ("average_vote", "0"),
        ("rating_votes", "0"),
        ("external_dependencies", g.get("plugin_dependencies", "")),
        ("server", g.get("server", "False")),
    ]
    for tag, value in fields:
        _text(el, tag, value.strip())
    return el


def build(zip_path: Path, out: Path, base_url: str) -> Path:
    """Add `zip_path` to the repository folder `out` and rewrite out/plugins.xml; returns plugins.xml."""
    if urlparse(base_url).scheme not in ("http", "https", "file"):
        raise RepoError(f"base URL must start with http://, https:// or file://, got {base_url!r}")
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    top, g = read_metadata(zip_path)
    out.mkdir(parents=True, exist_ok=True)
    # the Plugin Manager takes the plugin id from the file name up to the first dot: <folder>.<version>.zip
    dest = out / f"{top}.{g['version'].strip()}.zip"
    if dest.exists():
        if _content_digest(dest) != _content_digest(zip_path):
            raise RepoError(
                f"{dest.name} is already published with different content: raise the version in metadata.txt "
                "(cities that installed it would never see the change)"
            )
    else:  # the same version again keeps the published file (and its checksums) as it is
        shutil.copyfile(zip_path, dest)
    with zipfile.ZipFile(zip_path) as zf:
        icon_name = g.get("icon", "").strip()
        if icon_name and f"{top}/{icon_name}" in zf.namelist():
            (out / f"{top}.svg").write_bytes(zf.read(f"{top}/{icon_name}"))
    published = sorted(out.glob(f"{top}.*.zip"), key=lambda p: version_key(p.name[len(top) + 1 : -4]))
    newest = published[-1]
    first_seen = min(datetime.fromtimestamp(p.stat().st_mtime, timezone.utc) for p in published)
    root = ET.Element("plugins")
    root.append(plugin_element(newest, base_url, first_seen))
    ET.indent(root)
    xml_path = out / "plugins.xml"
    tmp = xml_path.with_suffix(".xml.tmp")
    ET.ElementTree(root).write(tmp, encoding="utf-8", xml_declaration=True)
    tmp.replace(xml_path)  # a web server never serves a half-written index
    (out / "SHA256SUMS").write_text("".join(f"{_sha256(p)}  {p.name}\n" for p in published), encoding="utf-8")
    return xml_path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--zip", type=Path, required=True, help="the plugin zip (make package)")
    ap.add_argument("--out", type=Path, required=True, help="the repository folder the web server serves")
    ap.add_argument("--base-url", required=True, help="the address of that folder as cities will reach it")
    a = ap.parse_args(argv)
    try:
        xml_path = build(a.zip, a.out, a.base_url)
    except (RepoError, OSError) as exc:
        print(f"make repo: {exc}", file=sys.stderr)
        return 1
    entry = ET.parse(xml_path).getroot()[0]
    print(f"{xml_path}: {entry.get('name')} {entry.get('version')} → {entry.findtext('download_url')}")
    print(f"Plugin Manager ▸ Settings ▸ Add repository: {a.base_url.rstrip('/')}/plugins.xml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
