"""SQLite: a trigram index of article titles for near misses (PostgreSQL uses pg_trgm from 0002)."""

from django.db import migrations

from helpwell.search import fulltext


def forwards(apps, schema_editor):
    fulltext.create_trigram(schema_editor)


def backwards(apps, schema_editor):
    fulltext.drop_trigram(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext")]

    operations = [migrations.RunPython(forwards, backwards)]
