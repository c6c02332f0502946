"""Command line for scheduled publishing (cron, systemd timers, Windows Task Scheduler).

    python -m ioc_qgis_plugin.export --gpkg ioc.gpkg --target ckan --ckan-url https://data.tinh.gov.vn \
        --name phan-anh-hien-truong --title "Phản ánh hiện trường"

Secrets come only from environment variables (default CKAN_API_TOKEN), never from arguments, which other users
can read in the process list, and they are never printed. The same holds for the database: `--postgis` takes a
connection string without a password; libpq finds it in PGPASSWORD, ~/.pgpass or a service file (PGSERVICE).

Exit codes: 0 published, 1 export/publication failed, 2 bad arguments, 3 the store cannot be opened.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Optional

from .package import DatasetInfo
from .policy import ID_SECRET_ENV, LocationRule, Policy, PolicyError
from .publish import TARGETS, run_export
from .select import Selection


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m ioc_qgis_plugin.export", description=__doc__.split("\n\n")[0])
    ap.add_argument("--gpkg", help="IOC GeoPackage store")
    ap.add_argument(
        "--postgis",
        help="PostGIS connection string of the IOC store, without password (instead of --gpkg); "
        "the password comes from PGPASSWORD, ~/.pgpass or a service file",
    )
    ap.add_argument("--target", choices=TARGETS, default="file")
    ap.add_argument(
        "--out",
        default=None,
        help="folder for the file package (needed for --target file; otherwise a temporary folder, removed after)",
    )
    ap.add_argument("--tables", default="field_reports", help="comma list of tables")
    ap.add_argument("--wards", default="", help="comma list of ward ids")
    ap.add_argument("--categories", default="", help="comma list of service codes")
    ap.add_argument("--statuses", default="", help="comma list of statuses")
    ap.add_argument("--start", help="ISO date/time, inclusive (requested_at)")
    ap.add_argument("--end", help="ISO date/time, exclusive")
    ap.add_argument("--name", required=True, help="dataset id on the portal (lowercase, digits, - _)")
    ap.add_argument("--title", required=True)
    ap.add_argument("--description", default="")
    ap.add_argument("--licence", default="CC-BY-4.0")
    ap.add_argument("--publisher", default="")
    ap.add_argument("--contact-name", default="")
    ap.add_argument("--contact-email", default="")
    ap.add_argument("--keywords", default="", help="comma list")
    ap.add_argument("--issued", default="", help="ISO date of first issue (default: start of the data)")
    ap.add_argument("--location", choices=("grid", "kanon", "exact", "drop"), default="grid")
    ap.add_argument("--cell-m", type=float, default=250.0)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--rules", help="JSON file {table: {column: action}} overriding the default field rules")
    ap.add_argument(
        "--id-secret-env", default=ID_SECRET_ENV, help="environment variable holding the city's pseudonym secret"
    )
    ap.add_argument("--real-ids", action="store_true", help="publish real report ids instead of pseudonyms (risky)")
    ap.add_argument("--confirm-real-ids", action="store_true", help="confirm --real-ids after reading the risk")
    ap.add_argument("--ckan-url")
    ap.add_argument("--ckan-org", help="CKAN organisation (owner_org) for a new dataset")
    ap.add_argument("--token-env", default="CKAN_API_TOKEN", help="environment variable holding the CKAN API token")
    ap.add_argument("--ogc-data-dir", help="pygeoapi data folder")
    ap.add_argument("--ogc-config", help="pygeoapi configuration YAML")
    ap.add_argument("--ogc-url", default="", help="pygeoapi base URL to verify the collections")
    ap.add_argument("--who", default=None, help="name for the publish log (default: the login name)")
    ap.add_argument("--log-file", help="also append the publish log to this JSON-lines file")
    return ap


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def postgis_argument_problem(dsn: str) -> Optional[str]:
    """Why a --postgis value is refused (a password in it, or unreadable), or None."""
    try:
        from psycopg2.extensions import parse_dsn

        params = parse_dsn(dsn)
    except ImportError:
        return "PostGIS support needs psycopg2 (Debian package python3-psycopg2)"
    except Exception:  # noqa: BLE001 - psycopg2.ProgrammingError; its text may echo the string (a secret)
        return "--postgis is not a valid connection string (key=value pairs or a postgresql:// URI)"
    if params.get("password"):
        return (
            "--postgis must not contain a password: process arguments are visible to every user of this machine. "
            "Put it in PGPASSWORD, ~/.pgpass or a service file (PGSERVICE) and leave it out of the string."
        )
    return None


def main(argv: Optional[list[str]] = None) -> int:
    args = parser().parse_args(argv)
    if bool(args.gpkg) == bool(args.postgis):
        print("error: give exactly one of --gpkg or --postgis", file=sys.stderr)
        return 2
    problem = postgis_argument_problem(args.postgis) if args.postgis else None
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    opts: dict = {}
    if args.target == "ckan":
        if not args.ckan_url:
            print("error: --ckan-url is needed for --target ckan", file=sys.stderr)
            return 2
        token = os.environ.get(args.token_env)
        if not token:
            print(f"error: set the CKAN API token in the environment variable {args.token_env}", file=sys.stderr)
            return 2
        if not token.isascii() or not token.isprintable():
            # an HTTP header carries ASCII only: a pasted placeholder such as "…" would fail deep inside requests
            print(f"error: the token in {args.token_env} has characters a CKAN token never has", file=sys.stderr)
            return 2
        opts = {"url": args.ckan_url, "token": token, "owner_org": args.ckan_org}
    elif args.target == "ogcapi":
        if not (args.ogc_data_dir and args.ogc_config):
            print("error: --ogc-data-dir and --ogc-config are needed for --target ogcapi", file=sys.stderr)
            return 2
        opts = {"data_dir": args.ogc_data_dir, "config": args.ogc_config, "url": args.ogc_url}
    rules = json.loads(Path(args.rules).read_text(encoding="utf-8")) if args.rules else {}
    policy = Policy(
        rules=rules,
        location=LocationRule(args.location, args.cell_m, args.k),
        id_mode="real" if args.real_ids else "pseudonym",
        id_secret=os.environ.get(args.id_secret_env, ""),
        real_ids_confirmed=args.confirm_real_ids,
    )
    selection = Selection(
        tables=_split(args.tables),
        ward_ids=_split(args.wards),
        service_codes=_split(args.categories),
        statuses=_split(args.statuses),
        start=args.start,
        end=args.end,
    )
    info = DatasetInfo(
        name=args.name,
        title=args.title,
        description=args.description,
        licence=args.licence,
        publisher=args.publisher,
        contact_name=args.contact_name,
        contact_email=args.contact_email,
        keywords=_split(args.keywords),
        issued=args.issued,
    )
    if args.target == "file" and not args.out:
        print("error: give --out FOLDER for the file package", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="ioc-export-") as scratch:
        # for a portal target the package is only the upload's source: it goes to a temporary folder unless asked
        return _export(args, selection, policy, info, opts, Path(args.out) if args.out else Path(scratch))


def _export(
    args: argparse.Namespace, selection: Selection, policy: Policy, info: DatasetInfo, opts: dict, out: Path
) -> int:
    from ..store.errors import StoreError

    try:
        if args.gpkg:
            from ..store.gpkg import GeoPackageStore

            store = GeoPackageStore.open(args.gpkg)
        else:
            from ..store.postgis import PostgisStore

            store = PostgisStore.open(args.postgis)
    except StoreError as exc:  # unreachable, wrong password, no rights, not an IOC store: one line, no traceback
        print(f"error: cannot open the store: {exc}", file=sys.stderr)
        return 3
    try:
        result = run_export(
            store,
            selection,
            policy,
            info,
            out,
            args.target,
            opts,
            progress=lambda p, m: print(f"[{p:5.1f}%] {m}", flush=True),
            who=args.who,
            log_file=Path(args.log_file) if args.log_file else None,
        )
    except (PolicyError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - one clear line for the scheduler's log, no traceback with locals
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(result.message)
    return 0
