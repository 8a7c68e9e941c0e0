"""Full-text indexes: FTS5 tables on SQLite, GIN expression indexes on PostgreSQL."""

from django.db import migrations

KINDS = ("dataset", "document")


def forwards(apps, schema_editor):
    conn = schema_editor.connection
    with conn.cursor() as cur:
        for kind in KINDS:
            if conn.vendor == "sqlite":
                cur.execute(
                    f"CREATE VIRTUAL TABLE IF NOT EXISTS opendata_{kind}_fts USING fts5("
                    "tokens, tokenize = 'unicode61 remove_diacritics 0')"
                )
            elif conn.vendor == "postgresql":
                cur.execute(
                    f"CREATE INDEX IF NOT EXISTS opendata_{kind}_fts_idx ON opendata_{kind} "
                    "USING gin (to_tsvector('simple', search_text))"
                )


def backwards(apps, schema_editor):
    conn = schema_editor.connection
    with conn.cursor() as cur:
        for kind in KINDS:
            if conn.vendor == "sqlite":
                cur.execute(f"DROP TABLE IF EXISTS opendata_{kind}_fts")
            elif conn.vendor == "postgresql":
                cur.execute(f"DROP INDEX IF EXISTS opendata_{kind}_fts_idx")


class Migration(migrations.Migration):
    dependencies = [("opendata", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
