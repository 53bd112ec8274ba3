from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("receivables", "0003_receipt_reference_is_frozen_too"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="writeoffitem",
            options={
                "ordering": ["write_off", "id"],
                "permissions": [
                    ("approve_write_off", "May approve bad-debt write-offs"),
                    (
                        "approve_small_write_off",
                        "May approve bad-debt write-offs up to the write-off limit",
                    ),
                ],
            },
        ),
    ]
