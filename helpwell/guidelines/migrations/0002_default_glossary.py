"""A good default ships: the glossary every team starts from (a lead edits it in Settings)."""

from django.db import migrations

from helpwell.guidelines.checks.defaults import DEFAULT_GLOSSARY


def add_defaults(apps, schema_editor):
    GlossaryEntry = apps.get_model("guidelines", "GlossaryEntry")
    for term, plain in DEFAULT_GLOSSARY.items():
        GlossaryEntry.objects.get_or_create(team=None, term=term, defaults={"plain": plain})


class Migration(migrations.Migration):
    dependencies = [("guidelines", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
