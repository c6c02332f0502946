"""IOC QGIS plugin: entry point for QGIS (classFactory only)."""


def classFactory(iface):  # noqa: N802 - name fixed by QGIS
    from .plugin import IocPlugin

    return IocPlugin(iface)
