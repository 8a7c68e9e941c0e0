"""The read-only SQL endpoint under attack: its DuckDB connection's limits (time, memory, spill,
threads, locked configuration), bombs that must stop with a clear error while the server keeps
answering, and a catalogue of hostile queries that must each be refused."""

from __future__ import annotations

import json
import threading
from typing import Any

import duckdb
import pytest
import requests
import sqlglot

from smartseoul.opendata import selectors, sqlsafe
from smartseoul.opendata.errors import QueryError

pytestmark = pytest.mark.django_db

# 100,000 × 100,000 rows summed: far more work than any time limit below allows.
CARTESIAN_BOMB = (
    "SELECT sum(x.a * y.b) AS s FROM (SELECT unnest(range(100000)) AS a) AS x, (SELECT unnest(range(100000)) AS b) AS y"
)
# A million 1,000-character strings glued into one: a gigabyte in one aggregate state.
MEMORY_BOMB = "SELECT length(string_agg(repeat('x', 1000), '')) AS n FROM (SELECT unnest(range(1000000)) AS a) AS t"


@pytest.fixture
def sql_on(settings: Any) -> Any:
    settings.OPENDATA_SQL_ENABLED = True
    settings.OPENDATA_SQL_TIMEOUT_S = 30
    return settings


def post_sql(client: Any, sql: str) -> tuple[int, dict[str, Any]]:
    response = client.post("/api/v1/opendata/sql", json.dumps({"sql": sql}), content_type="application/json")
    return response.status_code, json.loads(response.content)


def ckan_sql(client: Any, sql: str) -> tuple[int, dict[str, Any]]:
    response = client.post(
        "/api/3/action/datastore_search_sql", json.dumps({"sql": sql}), content_type="application/json"
    )
    return response.status_code, json.loads(response.content)


# --- the connection's configuration -----------------------------------------------------------------


def _setting(conn: duckdb.DuckDBPyConnection, name: str) -> str:
    row = conn.execute("SELECT value FROM duckdb_settings() WHERE name = ?", [name]).fetchone()
    assert row is not None, name
    return str(row[0])


def test_the_connection_carries_every_limit_and_its_configuration_is_locked(tmp_path):
    limits = sqlsafe.Limits(memory_limit="100MB", max_temp_directory_size="50MB", threads=1)
    conn = sqlsafe.connect({}, limits, tmp_path)
    try:
        reference = duckdb.connect()
        reference.execute("SET memory_limit = '100MB'")
        reference.execute("SET max_temp_directory_size = '50MB'")
        assert _setting(conn, "memory_limit") == _setting(reference, "memory_limit")
        assert _setting(conn, "max_temp_directory_size") == _setting(reference, "max_temp_directory_size")
        reference.close()
        assert _setting(conn, "temp_directory") == str(tmp_path)
        assert _setting(conn, "threads") == "1"
        assert _setting(conn, "enable_external_access") == "false"
        assert _setting(conn, "lock_configuration") == "true"
        assert _setting(conn, "autoload_known_extensions") == "false"
        assert _setting(conn, "autoinstall_known_extensions") == "false"
        assert _setting(conn, "allow_community_extensions") == "false"
        for change in (
            "SET memory_limit = '64GB'",
            "SET max_temp_directory_size = '1TB'",
            "SET threads = 64",
            "SET enable_external_access = true",
            "SET lock_configuration = false",
            "RESET memory_limit",
            "SET temp_directory = '/tmp'",
        ):
            with pytest.raises(duckdb.Error):
                conn.execute(change)
        with pytest.raises(duckdb.Error):
            conn.execute("LOAD httpfs")
        with pytest.raises(duckdb.Error):
            conn.execute("INSTALL httpfs")
        assert _setting(conn, "memory_limit") != "64.0 GiB"
    finally:
        conn.close()


def test_limits_come_from_settings_with_defaults(settings):
    for name in (
        "OPENDATA_SQL_MEMORY_LIMIT",
        "OPENDATA_SQL_TEMP_LIMIT",
        "OPENDATA_SQL_TEMP_DIR",
        "OPENDATA_SQL_THREADS",
        "OPENDATA_SQL_CONCURRENCY",
    ):
        delattr(settings, name)
    default = sqlsafe.limits()
    assert (default.memory_limit, default.max_temp_directory_size, default.threads) == ("256MB", "512MB", 1)
    settings.OPENDATA_SQL_MEMORY_LIMIT = "1GB"
    settings.OPENDATA_SQL_TEMP_LIMIT = "2GB"
    settings.OPENDATA_SQL_TEMP_DIR = "/srv/spill"
    settings.OPENDATA_SQL_THREADS = 0  # never below one
    settings.OPENDATA_SQL_TIMEOUT_S = 2
    got = sqlsafe.limits()
    assert (got.memory_limit, got.max_temp_directory_size, got.temp_dir) == ("1GB", "2GB", "/srv/spill")
    assert got.threads == 1 and got.timeout_s == 2.0


def test_spill_files_stay_in_the_configured_directory_and_are_removed(settings, tmp_path):
    settings.OPENDATA_SQL_TEMP_DIR = str(tmp_path / "spill")
    statement, _ = sqlsafe.validate("SELECT 1 AS one")
    seen: list[str] = []
    real_connect = sqlsafe.connect

    def spy(tables: Any, lim: Any, temp_dir: Any) -> Any:
        seen.append(str(temp_dir))
        return real_connect(tables, lim, temp_dir)

    sqlsafe.connect = spy  # type: ignore[assignment]
    try:
        assert sqlsafe.run(statement, {}, limits=sqlsafe.limits()).records == [{"one": 1}]
    finally:
        sqlsafe.connect = real_connect  # type: ignore[assignment]
    assert len(seen) == 1 and seen[0].startswith(str(tmp_path / "spill"))
    assert list((tmp_path / "spill").iterdir()) == []


# --- bombs ------------------------------------------------------------------------------------------


def test_a_cartesian_product_bomb_stops_with_sql_timeout(client, sql_on):
    sql_on.OPENDATA_SQL_TIMEOUT_S = 1
    status, body = post_sql(client, CARTESIAN_BOMB)
    assert status == 400
    assert body["error"]["code"] == "sql_timeout"
    assert "too long" in body["error"]["message"]


def test_a_self_join_bomb_over_a_real_table_stops_with_sql_timeout(client, sql_on, parking):
    sql_on.OPENDATA_SQL_TIMEOUT_S = 1
    res, _table = selectors.primary_table(parking)
    aliases = [f"t{i}" for i in range(16)]  # 6 rows to the 16th power
    source = ", ".join(f'"{res.uid}" AS {a}' for a in aliases)
    product = " * ".join(f'{a}."주차면수(CAPACITY)"' for a in aliases[:3])
    status, body = post_sql(client, f"SELECT sum({product}) AS s FROM {source}")
    assert status == 400 and body["error"]["code"] == "sql_timeout"


def test_the_ckan_endpoint_reports_the_timeout_in_its_own_envelope(client, sql_on):
    sql_on.OPENDATA_SQL_TIMEOUT_S = 1
    status, body = ckan_sql(client, CARTESIAN_BOMB)
    assert status == 409 and body["success"] is False
    assert body["error"]["__type"] == "Validation Error"
    assert "too long" in body["error"]["sql"][0]


def test_a_memory_bomb_gets_a_clear_error(client, sql_on):
    sql_on.OPENDATA_SQL_MEMORY_LIMIT = "64MB"
    status, body = post_sql(client, MEMORY_BOMB)
    assert status == 400
    assert body["error"]["code"] == "sql_memory"
    assert "memory" in body["error"]["message"] and "64MB" in body["error"]["message"]
    status, body = ckan_sql(client, MEMORY_BOMB)
    assert status == 409 and "memory" in body["error"]["sql"][0]


def test_a_small_query_still_runs_under_the_same_limits(client, sql_on, parking):
    sql_on.OPENDATA_SQL_MEMORY_LIMIT = "64MB"
    sql_on.OPENDATA_SQL_TIMEOUT_S = 5
    res, _table = selectors.primary_table(parking)
    status, body = post_sql(
        client,
        f'SELECT "자치구", count(*) AS n FROM "{res.uid}" GROUP BY 1 '
        f"UNION ALL SELECT '합계', count(*) FROM \"{res.uid}\"",
    )
    assert status == 200, body
    assert sorted((r["자치구"], r["n"]) for r in body["records"]) == [("종로구", 6), ("합계", 6)]


def test_when_every_slot_is_taken_the_caller_is_told_to_retry(client, sql_on):
    sql_on.OPENDATA_SQL_CONCURRENCY = 1
    sql_on.OPENDATA_SQL_TIMEOUT_S = 0.5  # how long a caller waits for a slot, at most
    slot = sqlsafe._slot(1)
    assert slot.acquire(timeout=5)
    try:
        status, body = post_sql(client, "SELECT 1 AS one")
    finally:
        slot.release()
    assert status == 429 and body["error"]["code"] == "sql_busy"
    status, body = post_sql(client, "SELECT 1 AS one")
    assert status == 200 and body["records"] == [{"one": 1}]


@pytest.mark.django_db(transaction=True)
def test_the_server_keeps_answering_healthz_while_a_bomb_runs(live_server, settings, monkeypatch):
    settings.OPENDATA_SQL_ENABLED = True
    settings.OPENDATA_SQL_TIMEOUT_S = 4
    started = threading.Event()
    real_connect = sqlsafe.connect

    def connect_and_signal(*args: Any, **kwargs: Any) -> Any:
        conn = real_connect(*args, **kwargs)
        started.set()
        return conn

    monkeypatch.setattr(sqlsafe, "connect", connect_and_signal)
    answer: dict[str, Any] = {}
    finished = threading.Event()

    def bomb() -> None:
        try:
            r = requests.post(f"{live_server.url}/api/v1/opendata/sql", json={"sql": CARTESIAN_BOMB}, timeout=120)
            answer["status"], answer["body"] = r.status_code, r.json()
        finally:
            finished.set()

    thread = threading.Thread(target=bomb, daemon=True)
    thread.start()
    assert started.wait(60), "the bomb never reached DuckDB"
    during: list[int] = []
    while not finished.is_set():
        r = requests.get(f"{live_server.url}/healthz", timeout=30)
        if not finished.is_set():  # answered while the bomb's request was still open
            during.append(r.status_code)
    thread.join(60)
    assert during and set(during) == {200}
    assert answer["status"] == 400 and answer["body"]["error"]["code"] == "sql_timeout"
    assert requests.get(f"{live_server.url}/healthz", timeout=30).status_code == 200


# --- hostile queries ----------------------------------------------------------------------------------

# (query, a fragment of the refusal's message); "{t}" stands for a table's resource id (the parser
# refuses before any table is looked up, so the id need not exist).
TABLE_ID = "5f0c7a52-6c1e-4d55-9a43-2d8f1b7e0c11"
HOSTILE: list[tuple[str, str]] = [
    # reading files
    ("SELECT * FROM read_csv('/etc/passwd')", "read_csv is not allowed"),
    ("SELECT * FROM read_csv_auto('/etc/passwd')", "read_csv_auto is not allowed"),
    ("SELECT * FROM read_parquet('/tmp/other.parquet')", "read_parquet is not allowed"),
    ("SELECT * FROM parquet_scan('/tmp/other.parquet')", "parquet_scan is not allowed"),
    ("SELECT * FROM read_text('/etc/passwd')", "read_text is not allowed"),
    ("SELECT * FROM read_blob('/etc/shadow')", "read_blob is not allowed"),
    ("SELECT * FROM read_json_auto('/etc/hostname')", "read_json_auto is not allowed"),
    ("SELECT * FROM glob('/etc/*')", "glob is not allowed"),
    ("SELECT * FROM sniff_csv('/etc/passwd')", "sniff_csv is not allowed"),
    ("SELECT * FROM parquet_metadata('/tmp/other.parquet')", "parquet_metadata is not allowed"),
    ("SELECT * FROM 'file.csv'", "files and URLs cannot be read"),
    ("FROM '/etc/passwd'", "files and URLs cannot be read"),
    ('SELECT * FROM "/etc/passwd"', "files and URLs cannot be read"),
    ("SELECT * FROM \"{t}\" UNION ALL SELECT * FROM read_csv('/etc/passwd')", "read_csv is not allowed"),
    ("WITH x AS (SELECT * FROM read_text('/etc/passwd')) SELECT * FROM x", "read_text is not allowed"),
    ("SELECT (SELECT content FROM read_text('/etc/passwd')) AS c", "read_text is not allowed"),
    ("SELECT * FROM \"{t}\" AS a JOIN 'secrets.parquet' AS b ON true", "files and URLs cannot be read"),
    # writing files, exporting
    ("COPY (SELECT 1) TO '/tmp/out.csv'", "Only a SELECT statement is allowed"),
    ("COPY \"{t}\" TO '/tmp/out.parquet' (FORMAT parquet)", "Only a SELECT statement is allowed"),
    ("EXPORT DATABASE '/tmp/dump'", "could not be parsed"),
    ("IMPORT DATABASE '/tmp/dump'", "could not be parsed"),
    ("SELECT 1 INTO out_table", "INTO is not allowed"),
    # other databases
    ("ATTACH '/tmp/other.db' AS other", "Only a SELECT statement is allowed"),
    ("ATTACH 'postgres:dbname=smartseoul' AS pg (TYPE postgres)", "Only a SELECT statement is allowed"),
    ("DETACH other", "Only a SELECT statement is allowed"),
    ("USE other", "Only a SELECT statement is allowed"),
    ("SELECT * FROM sqlite_scan('/tmp/other.db', 't')", "sqlite_scan is not allowed"),
    ("SELECT * FROM postgres_scan('host=127.0.0.1', 'public', 'accounts_user')", "postgres_scan is not allowed"),
    ("SELECT * FROM other.main.t", "Schema-qualified table names are not allowed"),
    ("SELECT * FROM information_schema.tables", "Schema-qualified table names are not allowed"),
    # extensions
    ("INSTALL httpfs", "Only a SELECT statement is allowed"),
    ("FORCE INSTALL httpfs", "Only a SELECT statement is allowed"),
    ("LOAD httpfs", "Only a SELECT statement is allowed"),
    ("SELECT * FROM duckdb_extensions()", "duckdb_extensions is not allowed"),
    # settings and the environment
    ("SET memory_limit = '100GB'", "Only a SELECT statement is allowed"),
    ("SET enable_external_access = true", "Only a SELECT statement is allowed"),
    ("RESET memory_limit", "Only a SELECT statement is allowed"),
    ("PRAGMA database_list", "Only a SELECT statement is allowed"),
    ("PRAGMA enable_profiling", "Only a SELECT statement is allowed"),
    ("SELECT * FROM pragma_table_info('{t}')", "pragma_table_info is not allowed"),
    ("SELECT current_setting('memory_limit')", "current_setting is not allowed"),
    ("SELECT * FROM duckdb_settings()", "duckdb_settings is not allowed"),
    ("SELECT * FROM duckdb_secrets()", "duckdb_secrets is not allowed"),
    ("SELECT * FROM which_secret('s3://bucket/x', 's3')", "which_secret is not allowed"),
    ("SELECT getenv('HOME')", "getenv is not allowed"),
    ("SELECT list_transform(['HOME'], v -> getenv(v))", "getenv is not allowed"),
    ("SELECT \"getenv\"('DATABASE_URL')", "getenv is not allowed"),
    ("SELECT version()", "is not allowed"),
    ("SELECT current_database()", "current_database is not allowed"),
    ("SELECT current_schemas(true)", "current_schemas is not allowed"),
    ("SELECT getvariable('x')", "getvariable is not allowed"),
    # the network
    ("SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')", "read_csv is not allowed"),
    ("SELECT * FROM 'https://example.com/x.parquet'", "files and URLs cannot be read"),
    ("SELECT * FROM 's3://bucket/x.parquet'", "files and URLs cannot be read"),
    ("SELECT * FROM read_parquet('s3://bucket/x.parquet')", "read_parquet is not allowed"),
    ("CREATE SECRET s (TYPE s3, KEY_ID 'k', SECRET 's')", "Only a SELECT statement is allowed"),
    # changing data
    ("CREATE TABLE x AS SELECT 1", "Only a SELECT statement is allowed"),
    ("CREATE VIEW v AS SELECT 1", "Only a SELECT statement is allowed"),
    ("CREATE MACRO m(a) AS a", "Only a SELECT statement is allowed"),
    ('DROP VIEW "{t}"', "Only a SELECT statement is allowed"),
    ('INSERT INTO "{t}" VALUES (1)', "Only a SELECT statement is allowed"),
    ('UPDATE "{t}" SET "자치구" = \'x\'', "Only a SELECT statement is allowed"),
    ('DELETE FROM "{t}"', "Only a SELECT statement is allowed"),
    ('ALTER VIEW "{t}" RENAME TO x', "Only a SELECT statement is allowed"),
    ("CHECKPOINT", "Only a SELECT statement is allowed"),
    ("BEGIN TRANSACTION", "Only a SELECT statement is allowed"),
    # calls, many statements, SQL inside SQL
    ("CALL duckdb_settings()", "Only a SELECT statement is allowed"),
    ("CALL pragma_version()", "Only a SELECT statement is allowed"),
    ('SELECT 1; DROP VIEW "{t}"', "exactly one SELECT"),
    ("SELECT 1; SELECT 2", "exactly one SELECT"),
    ("SELECT * FROM query('SELECT * FROM read_csv(''/etc/passwd'')')", "query is not allowed"),
    ("SELECT * FROM query_table('duckdb_settings')", "query_table is not allowed"),
    ("SELECT json_execute_serialized_sql('{}')", "json_execute_serialized_sql is not allowed"),
    ("SELECT * FROM range(10)", "Table functions are not allowed"),
    ("", "empty"),
]


@pytest.mark.parametrize(("sql", "why"), HOSTILE, ids=[f"{i:02d}" for i in range(len(HOSTILE))])
def test_each_hostile_query_is_refused_with_a_clear_error(client, sql_on, sql, why):
    sql = sql.replace("{t}", TABLE_ID)
    status, body = post_sql(client, sql)
    assert status == 400, body
    assert body["error"]["code"] == "sql_refused"
    assert why in body["error"]["message"]
    status, body = ckan_sql(client, sql)
    assert status == 409 and body["error"]["__type"] == "Validation Error"
    assert why in body["error"]["sql"][0]


def test_the_catalogue_is_long_enough():
    assert len(HOSTILE) >= 20


# The connection is the second wall: the same attacks, past the parser, still read nothing.
PAST_THE_PARSER = [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_blob('/etc/passwd')",
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM sniff_csv('/etc/passwd')",
    "SELECT * FROM parquet_metadata('/etc/passwd')",
    "SELECT * FROM '/etc/passwd'",
    "SELECT * FROM 'https://example.com/x.parquet'",
    "SELECT * FROM 's3://bucket/x.parquet'",
    "SELECT * FROM read_parquet('http://127.0.0.1:9/x.parquet')",
    "SELECT * FROM sqlite_scan('/tmp/other.db', 't')",
    "SELECT * FROM duckdb_extensions()",
    "SELECT getenv('HOME')",
]


@pytest.mark.parametrize("sql", PAST_THE_PARSER)
def test_the_connection_itself_refuses_files_urls_and_extensions(sql):
    statement = sqlglot.parse_one(sql, read="duckdb")
    with pytest.raises(QueryError) as caught:
        sqlsafe.run(statement, {}, limits=sqlsafe.Limits(timeout_s=10))
    assert caught.value.code == "sql_refused"
    assert "root:x:0" not in caught.value.message  # no line of /etc/passwd
    assert ".duckdb" not in caught.value.message  # nor where the server keeps its extensions


def test_a_private_datasets_table_cannot_be_read_through_sql(client, sql_on, parking):
    res, _table = selectors.primary_table(parking)
    type(parking).objects.filter(pk=parking.pk).update(private=True)
    status, body = post_sql(client, f'SELECT * FROM "{res.uid}"')
    assert status == 404 and body["error"]["code"] == "resource_not_found"
    assert "records" not in body


def test_a_failing_query_does_not_show_where_the_tables_file_lives(client, sql_on, parking):
    res, _table = selectors.primary_table(parking)
    path = str(selectors.table_path(_table))
    status, body = post_sql(client, f'SELECT no_such_column FROM "{res.uid}"')
    assert status == 400 and body["error"]["code"] == "sql_refused"
    assert path not in body["error"]["message"]
    assert "lake" not in body["error"]["message"] and "parquet" not in body["error"]["message"].lower()
