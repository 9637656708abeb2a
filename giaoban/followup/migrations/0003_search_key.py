"""The folded title, for search that ignores case, diacritics and tone placement."""

from django.db import migrations, models

from giaoban.core.text import fold


def fill(apps, schema_editor):
    rows = apps.get_model("followup", "Task").objects.only("pk", "title")
    for row in rows.iterator():
        row.search_key = fold(row.title)
        row.save(update_fields=["search_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0002_notification_email_claimed_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="task",
            name="search_key",
            field=models.CharField(default="", editable=False, max_length=300),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
