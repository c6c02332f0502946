"""Open the configured store; PostGIS credentials come from QGIS's auth manager at connect time only."""

from __future__ import annotations

from typing import Callable, Optional

from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsDataSourceUri

from ..store.base import IocStore
from ..store.errors import StoreError, StoreUnavailable
from .settings import IocSettings


def _auth_config(authcfg: str) -> Optional[QgsAuthMethodConfig]:
    if not authcfg:
        return None
    cfg = QgsAuthMethodConfig()
    ok = QgsApplication.authManager().loadAuthenticationConfig(authcfg, cfg, True)
    if not ok or not cfg.isValid(True):
        raise StoreUnavailable(
            f"authentication configuration '{authcfg}' is missing or cannot be decrypted "
            "(is the QGIS master password set?)"
        )
    return cfg


def postgis_dsn(settings: IocSettings) -> str:
    """libpq connection string with the secret resolved in memory; never log or store the result."""
    parts = {"host": settings.pg_host, "port": str(settings.pg_port), "dbname": settings.pg_dbname}
    cfg = _auth_config(settings.pg_authcfg)
    if cfg is not None:
        method = cfg.method()
        if method == "Basic":
            parts["user"] = cfg.config("username")
            parts["password"] = cfg.config("password")
        elif method == "PKI-Paths":
            parts.update(sslmode="verify-full", sslcert=cfg.config("certpath"), sslkey=cfg.config("keypath"))
            if cfg.config("cacertpath"):
                parts["sslrootcert"] = cfg.config("cacertpath")
        else:
            raise StoreUnavailable(
                f"authentication method '{method}' is not supported for PostGIS; " "use Basic or PKI-Paths"
            )
    return " ".join(f"{k}='{_escape(v)}'" for k, v in parts.items() if v)


def _escape(value: str) -> str:
    return str(value).replace("\\", "\\\\").replace("'", "\\'")


def open_store(settings: IocSettings, read_only: bool = False) -> IocStore:
    """Open (never create) the configured store; raises StoreError with a message for the user.

    Readers (the panel load) pass read_only=True: a GeoPackage is then opened with SQLite's mode=ro.
    """
    if settings.store_kind == "postgis":
        from ..store.postgis import PostgisStore

        return PostgisStore.open(postgis_dsn(settings), settings.pg_schema)
    if not settings.gpkg_path:
        raise StoreError("no IOC GeoPackage chosen yet: use IOC ▸ Open data store…")
    from ..store.gpkg import GeoPackageStore

    return GeoPackageStore.open(settings.gpkg_path, read_only=read_only)


def qgis_layer_uri(store: IocStore, table: str, settings: IocSettings) -> tuple[str, str]:
    """The QGIS data source for a table; for PostGIS the authcfg id goes in the URI, never the password."""
    uri, provider = store.layer_uri(table)
    if provider == "postgres":
        ds = QgsDataSourceUri(uri)
        ds.setUsername("")
        ds.setPassword("")
        if settings.pg_authcfg:
            ds.setAuthConfigId(settings.pg_authcfg)
        uri = ds.uri(False)
    return uri, provider


def camera_state_writer(settings: IocSettings) -> Callable[[list[dict]], None]:
    """For the camera health checker: writes a round's states on its worker thread, on a connection of its own.

    rows: {"camera_id", "status", "last_seen"}; last_seen None (no answer this round) keeps the stored time."""

    def write(rows: list[dict]) -> None:
        store = open_store(settings)
        try:
            with store.transaction():
                store.update_rows(
                    "cameras", "camera_id", [{"camera_id": r["camera_id"], "status": r["status"]} for r in rows]
                )
                seen = [{"camera_id": r["camera_id"], "last_seen": r["last_seen"]} for r in rows if r["last_seen"]]
                store.update_rows("cameras", "camera_id", seen)
        finally:
            store.close()

    return write
