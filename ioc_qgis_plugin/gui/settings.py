"""Typed plugin settings over QgsSettings (section ioc/). Secrets never live here: only auth manager ids."""

from __future__ import annotations

from dataclasses import dataclass, fields

from qgis.core import QgsSettings

_PREFIX = "ioc/"


@dataclass
class IocSettings:
    store_kind: str = "gpkg"  # gpkg | postgis
    gpkg_path: str = ""
    pg_host: str = "127.0.0.1"
    pg_port: int = 5432
    pg_dbname: str = "ioc"
    pg_schema: str = "ioc"
    pg_authcfg: str = ""  # QGIS auth manager id (basic or certificate)
    open311_url: str = ""
    open311_authcfg: str = ""
    sensorthings_url: str = ""
    sensorthings_authcfg: str = ""
    role: str = "planner"  # planner | operator | gis | data_officer | desk | admin
    language: str = ""  # "" = follow QGIS's locale
    lights_refresh_s: int = 60
    camera_health_s: int = 30
    due_soon_fraction: float = 0.25

    @classmethod
    def load(cls) -> IocSettings:
        s = QgsSettings()
        values = {}
        for f in fields(cls):
            default = f.default
            raw = s.value(_PREFIX + f.name, default)
            try:
                values[f.name] = type(default)(raw) if raw is not None else default
            except (TypeError, ValueError):
                values[f.name] = default
        return cls(**values)

    def save(self) -> None:
        s = QgsSettings()
        for f in fields(self):
            s.setValue(_PREFIX + f.name, getattr(self, f.name))
