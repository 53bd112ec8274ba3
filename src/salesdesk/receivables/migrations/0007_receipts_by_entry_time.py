from django.db import migrations, models


class Migration(migrations.Migration):
    """The day's receipts (the manager's workbench) are found by when they were entered."""

    dependencies = [("receivables", "0006_open_items_kept_by_the_database")]

    operations = [
        migrations.AddIndex(
            model_name="receipt",
            index=models.Index(fields=["created_at"], name="receipt_entered_at"),
        ),
    ]
