"""The one meaning of search (core/text_fold.py): Python fold() and the SQL rendered for SQLite and PostgreSQL
find exactly the same rows — case- and diacritic-insensitive, literal (no wildcards), NFC or NFD text."""

from __future__ import annotations

import sqlite3
import unicodedata

import pytest

from ioc_qgis_plugin.core.report_filter import ReportFilter
from ioc_qgis_plugin.core.text_fold import contains_sql, contains_where, fold

TEXTS = [
    "123 NGUYỄN TRÃI, Phường 2",
    "12 Nguyễn Trãi",
    unicodedata.normalize("NFD", "45 nguyễn trãi (NFD)"),
    "Đèn đường hỏng 50% công suất",
    "Cống_thoát nước ngập",
    "đường Lê Lợi",
    "Ngũ Hành Sơn",
    "it's [a]* ?",
    "back\\slash",
    "NGUYEN TRAI không dấu",
    "",
    None,
]
NEEDLES = [
    "nguyen trai",
    "NGUYỄN TRÃI",
    "Nguyễn",
    unicodedata.normalize("NFD", "trãi"),
    "đèn",
    "DEN DUONG",
    "50%",
    "%",
    "_",
    "ng_p",
    "[a]*",
    "?",
    "it's",
    "\\",
    "lê lợi",
    "ơ",
]


def python_hits(needle: str) -> set[int]:
    return {i for i, t in enumerate(TEXTS) if fold(needle) in fold(t)}


def test_fold_is_case_and_accent_insensitive() -> None:
    assert fold("NGUYỄN TRÃI") == fold("nguyen trai") == fold(unicodedata.normalize("NFD", "Nguyễn Trãi"))
    assert fold("Đường") == "duong"
    assert fold(None) == ""


@pytest.mark.parametrize("needle", NEEDLES)
def test_sqlite_sql_finds_what_python_finds(needle: str) -> None:
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE t (i INTEGER, address TEXT)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(TEXTS)))
    inline = {r[0] for r in con.execute(f"SELECT i FROM t WHERE {contains_sql(['address'], needle)}")}
    where, params = contains_where(["address"], needle)
    bound = {r[0] for r in con.execute(f"SELECT i FROM t WHERE {where}", params)}
    assert inline == bound == python_hits(needle), needle


def test_wildcards_are_literal() -> None:
    assert python_hits("%") == {3}
    assert python_hits("_") == {4}
    assert python_hits("ng_p") == set()


def test_report_filter_sql_uses_the_one_meaning() -> None:
    sql = ReportFilter(text="50%").to_sql(0.0)
    assert "LIKE '%50\\%%' ESCAPE" in sql and "GLOB" in sql
    pg = ReportFilter(text="50%").to_sql(0.0, dialect="postgres")
    assert "translate(" in pg and "ESCAPE" in pg


@pytest.fixture(scope="module")
def pg():
    psycopg2 = pytest.importorskip("psycopg2")
    try:
        from tests.support.pgcluster import PgCluster

        cluster = PgCluster().start()
    except RuntimeError as exc:
        pytest.skip(str(exc))
    conn = psycopg2.connect(cluster.dsn())
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE t (i integer, address text)")
        cur.executemany("INSERT INTO t VALUES (%s, %s)", list(enumerate(TEXTS)))
    yield conn
    conn.close()
    cluster.stop()


@pytest.mark.parametrize("needle", NEEDLES)
def test_postgres_sql_finds_what_python_finds(pg, needle: str) -> None:  # noqa: ANN001
    with pg.cursor() as cur:
        sql = contains_sql(["address"], needle, "postgres").replace("%", "%%")
        cur.execute(f"SELECT i FROM t WHERE {sql}", ())
        inline = {r[0] for r in cur.fetchall()}
        where, params = contains_where(["address"], needle, "postgres")
        cur.execute(f"SELECT i FROM t WHERE {where.replace('?', '%s')}", params)
        bound = {r[0] for r in cur.fetchall()}
    assert inline == bound == python_hits(needle), needle
