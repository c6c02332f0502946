"""A QGIS postgres layer → the PgTable pg_bulk reads: where its rows are, its subset string, and its credentials,
resolved through QGIS's authentication manager when the layer names an authcfg (never written anywhere)."""

from __future__ import annotations

from qgis.core import QgsApplication, QgsDataSourceUri, QgsVectorLayer

from .bulk_io import NotColumnar
from .pg_bulk import PgTable


def pg_table(layer: QgsVectorLayer) -> PgTable:
    uri = QgsDataSourceUri(layer.source())
    table = uri.table()
    if not table or table.lstrip().startswith("("):
        raise NotColumnar("a query layer, not a table")
    user, password = uri.username(), uri.password()
    cfg = uri.authConfigId()
    if cfg:
        manager = QgsApplication.authManager()
        # the layer's own connection already unlocked the store; never prompt for it from a Processing thread
        if not manager.masterPasswordIsSet():
            raise NotColumnar("the authentication database is locked")
        ok, items = manager.updateDataSourceUriItems([], cfg, "postgres")
        if not ok:
            raise NotColumnar("the layer's authentication configuration could not be read")
        resolved = QgsDataSourceUri(" ".join(items))
        user, password = resolved.username() or user, resolved.password()
    connect: dict[str, str] = {}  # only what the layer sets: libpq fills the rest (service file, PG* variables)
    for key, value in (("dbname", uri.database()), ("host", uri.host()), ("port", uri.port()), ("user", user),
                       ("password", password), ("service", uri.service())):  # fmt: skip
        if value:
            connect[key] = value
    if uri.sslMode() not in (QgsDataSourceUri.SslPrefer,):
        connect["sslmode"] = QgsDataSourceUri.encodeSslMode(uri.sslMode())
    srid = uri.srid()
    return PgTable(
        connect=connect,
        schema=uri.schema() or "public",
        table=table,
        geometry=uri.geometryColumn(),
        key=uri.keyColumn(),
        subset=layer.subsetString(),
        srid=int(srid) if srid.isdigit() else None,
    )
