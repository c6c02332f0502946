"""A QGIS postgres layer → the PgTable pg_bulk reads: where its rows are, its subset string, and its credentials,
resolved through QGIS's authentication manager when the layer names an authcfg (never written anywhere)."""

from __future__ import annotations

from qgis.core import QgsApplication, QgsDataSourceUri, QgsProcessingFeatureSourceDefinition, QgsVectorLayer

from .bulk_io import NotColumnar
from .pg_bulk import PgTable, access_problem


def pg_table(layer: QgsVectorLayer) -> PgTable:
    return pg_table_from_uri(layer.source(), layer.subsetString())


def pg_table_from_uri(source: str, subset: str = "") -> PgTable:
    """The table a postgres data source string names (as a layer's source(), or the part after `postgres://`
    that qgis_process is given), with libpq keywords for its connection."""
    uri = QgsDataSourceUri(source)
    table = uri.table()
    if not table or table.lstrip().startswith("("):
        raise NotColumnar("a query layer, not a table")
    user, password = uri.username(), uri.password()
    cfg = uri.authConfigId()
    if cfg:
        manager = QgsApplication.authManager()
        # the layer's own connection already unlocked the store (qgis_process: QGIS_AUTH_PASSWORD_FILE); never
        # prompt for it from a Processing thread
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
        subset=subset,
        srid=int(srid) if srid.isdigit() else None,
    )


POSTGRES_PREFIX = "postgres://"  # how qgis_process (and a model's text input) names a postgres data source


def postgres_input_problem(value: object) -> str:
    """Why an input given as `postgres://…` text cannot be read with its credentials, in PostgreSQL's words (wrong
    password, no SELECT privilege, locked auth database), or "" when that is not it. Only asked after QGIS failed
    to load the input, whose own error says no more than "not found"."""
    if isinstance(value, QgsProcessingFeatureSourceDefinition):
        value = value.source.staticValue()
    if not isinstance(value, str) or not value.startswith(POSTGRES_PREFIX):
        return ""
    text = value[len(POSTGRES_PREFIX) :]
    table = QgsDataSourceUri(text).table()
    if not table or table.lstrip().startswith("("):
        return ""
    try:
        return access_problem(pg_table_from_uri(text))
    except NotColumnar as exc:  # the authcfg could not be resolved
        return str(exc) + " (headless: QGIS_AUTH_PASSWORD_FILE names a file with the master password)"
