"""The folded title, for search that ignores case, diacritics and tone placement."""

from django.db import migrations, models

from giaoban.core.migration_ops import fill_search_key


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
        fill_search_key("followup", "Task"),
    ]
