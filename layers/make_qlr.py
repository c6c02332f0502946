"""Writes a QGIS layer definition (.qlr) that adds the IOC group — styled layers of one IOC GeoPackage.

    QT_QPA_PLATFORM=offscreen python3 layers/make_qlr.py build/demo/ioc.gpkg build/demo/ioc_layers.qlr

Drag the .qlr onto QGIS (or Layer ▸ Add from Layer Definition File) to get the same group the plugin builds;
paths are stored relative to the .qlr, so keep it next to the GeoPackage.
"""

from __future__ import annotations

import sys
from pathlib import Path

from qgis.core import QgsApplication, QgsLayerDefinition, QgsProject

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    gpkg, out = Path(argv[0]).resolve(), Path(argv[1]).resolve()
    app = QgsApplication([], False)
    app.initQgis()
    from ioc_qgis_plugin.gui.layers import add_ioc_layers, ioc_group
    from ioc_qgis_plugin.gui.settings import IocSettings
    from ioc_qgis_plugin.store.gpkg import GeoPackageStore

    store = GeoPackageStore.open(gpkg)
    project = QgsProject.instance()
    add_ioc_layers(store, IocSettings(gpkg_path=str(gpkg)), project)
    store.close()
    ok, error = QgsLayerDefinition.exportLayerDefinition(str(out), [ioc_group(project)])
    if not ok:
        print(f"could not write {out}: {error}", file=sys.stderr)
        return 1
    print(out)
    project.clear()
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
