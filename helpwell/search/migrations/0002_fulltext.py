"""FTS5 tables and triggers on SQLite; tsvector columns, GIN and pg_trgm indexes on PostgreSQL."""

from django.db import migrations

from helpwell.search import fulltext


def forwards(apps, schema_editor):
    fulltext.create(schema_editor)


def backwards(apps, schema_editor):
    fulltext.drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
