"""The bank or cheque reference of a receipt is part of what was received: freeze it too."""

import importlib

from django.db import migrations

frozen = importlib.import_module("salesdesk.receivables.migrations.0002_money_documents_are_frozen")


def recreate(apps, schema_editor):
    frozen.drop(apps, schema_editor)
    frozen.create_with(schema_editor, [*frozen.MONEY, "reference"])


def back(apps, schema_editor):
    frozen.drop(apps, schema_editor)
    frozen.create_with(schema_editor, frozen.MONEY)


class Migration(migrations.Migration):
    dependencies = [("receivables", "0002_money_documents_are_frozen")]
    operations = [migrations.RunPython(recreate, back)]
