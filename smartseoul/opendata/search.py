"""Full-text search on SQLite FTS5 and PostgreSQL, over the same pre-tokenised text.

Datasets and documents store `search_text`: the Korean morphemes of their text (lib.korean),
space-separated. SQLite keeps an FTS5 table per kind (rowid = the row's id), written by the
services; PostgreSQL has a GIN expression index on to_tsvector('simple', search_text). A query
is tokenised the same way and each token matches as a prefix, all tokens required.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from smartseoul.lib import korean

TABLES = {
    "dataset": ("opendata_dataset", "opendata_dataset_fts"),
    "document": ("opendata_document", "opendata_document_fts"),
}
_SAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def query_terms(q: str) -> list[str]:
    terms = [_SAFE.sub("", t) for t in korean.query_tokens(q)]
    return [t for t in terms if t]


def _fts5_query(terms: list[str]) -> str:
    return " ".join('"' + t.replace('"', '""') + '"*' for t in terms)


def _tsquery(terms: list[str]) -> str:
    return " & ".join("'" + t.replace("'", "''").replace("\\", "") + "':*" for t in terms)


def index(kind: str, pk: int, text: str) -> None:
    """Writes one row's tokens (SQLite FTS5 only; PostgreSQL indexes the column itself)."""
    if not is_sqlite():
        return
    _base, fts = TABLES[kind]
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {fts} WHERE rowid = %s", [pk])  # noqa: S608  (index table names are this module's constants; search terms are bound)
        cur.execute(f"INSERT INTO {fts} (rowid, tokens) VALUES (%s, %s)", [pk, text])  # noqa: S608  (index table names are this module's constants; search terms are bound)


def unindex(kind: str, pk: int) -> None:
    if not is_sqlite():
        return
    _base, fts = TABLES[kind]
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {fts} WHERE rowid = %s", [pk])  # noqa: S608  (index table names are this module's constants; search terms are bound)


def ids_sql(kind: str, terms: list[str]) -> tuple[str, list[str]]:
    """A sub-query returning the ids of rows that match every term (use with `pk__in=RawSQL(...)`)."""
    base, fts = TABLES[kind]
    if is_sqlite():
        return f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", [_fts5_query(terms)]  # noqa: S608  (index table names are this module's constants; search terms are bound)
    return (
        f"SELECT id FROM {base} WHERE to_tsvector('simple', search_text) @@ to_tsquery('simple', %s)",  # noqa: S608  (index table names are this module's constants; search terms are bound)
        [_tsquery(terms)],
    )


def matching(kind: str, terms: list[str]) -> Q:
    sql, params = ids_sql(kind, terms)
    return Q(pk__in=RawSQL(sql, params))  # noqa: S611  (fixed SQL, terms are parameters)


def ranks(kind: str, terms: list[str]) -> dict[int, float]:
    """Relevance of every matching row (higher is better)."""
    base, fts = TABLES[kind]
    with connection.cursor() as cur:
        if is_sqlite():
            cur.execute(f"SELECT rowid, -bm25({fts}) FROM {fts} WHERE {fts} MATCH %s", [_fts5_query(terms)])  # noqa: S608  (index table names are this module's constants; search terms are bound)
        else:
            cur.execute(
                f"SELECT id, ts_rank(to_tsvector('simple', search_text), to_tsquery('simple', %s)) FROM {base} "  # noqa: S608  (index table names are this module's constants; search terms are bound)
                f"WHERE to_tsvector('simple', search_text) @@ to_tsquery('simple', %s)",
                [_tsquery(terms), _tsquery(terms)],
            )
        return {int(pk): float(score) for pk, score in cur.fetchall()}
