"""Daily ward briefing from the command line (standalone, offscreen QGIS):

python -m ioc_qgis_plugin.briefing --gpkg build/demo/ioc.gpkg --out DIR [--ward W01] [--date YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Optional

from ..core.timeutil import CITY_TZ


def _parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m ioc_qgis_plugin.briefing", description="Ward briefing PDFs")
    ap.add_argument("--gpkg", required=True, help="IOC GeoPackage")
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--ward", action="append", default=[], help="ward id (repeatable; default: every ward)")
    ap.add_argument("--date", help="last day of the period, YYYY-MM-DD (default: today, Asia/Ho_Chi_Minh)")
    ap.add_argument("--days", type=int, default=1, help="length of the period in days (default 1)")
    ap.add_argument("--no-combined", action="store_true", help="only the per-ward files")
    ap.add_argument("--no-per-ward", action="store_true", help="only the multi-page file")
    return ap.parse_args(argv)


def main(argv: Optional[list[str]] = None) -> int:
    a = _parse_args(argv)
    day = date.fromisoformat(a.date) if a.date else datetime.now(CITY_TZ).date()
    gpkg = Path(a.gpkg)
    if not gpkg.exists():
        print(f"error: {gpkg} does not exist", file=sys.stderr)
        return 2
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    try:
        from ..store.gpkg import GeoPackageStore
        from .figures import compute_briefing
        from .layout import export_all

        store = GeoPackageStore.open(gpkg, read_only=True)  # a reader never writes
        try:
            briefing = compute_briefing(store, day, a.ward or None, days=a.days)
        finally:
            store.close()
        if not briefing.pages:
            print(f"error: no ward matches {', '.join(a.ward)}", file=sys.stderr)
            return 2
        files = export_all(briefing, Path(a.out), combined=not a.no_combined, per_ward=not a.no_per_ward)
        for f in files:
            print(f)
        return 0
    finally:
        app.exitQgis()


if __name__ == "__main__":
    sys.exit(main())
