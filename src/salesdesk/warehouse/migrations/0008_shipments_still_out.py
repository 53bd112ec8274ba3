from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("warehouse", "0007_returns_and_write_offs")]

    operations = [
        migrations.AddIndex(
            model_name="shipment",
            index=models.Index(
                condition=models.Q(
                    models.Q(("cod_amount__gt", 0), ("cod_returned_on__isnull", True)),
                    models.Q(("note_required", True), ("note_returned_on__isnull", True)),
                    _connector="OR",
                ),
                fields=["carrier", "driver"],
                name="shipment_still_out",
            ),
        ),
        migrations.AddIndex(
            model_name="shipment",
            index=models.Index(
                condition=models.Q(("cod_amount__gt", 0), ("cod_returned_on__isnull", True)),
                fields=["cod_due"],
                name="shipment_cod_out",
            ),
        ),
    ]
