"""Operations shared by the apps' migrations."""

from django.db import migrations

from giaoban.core.text import fold


def fill_search_key(app_label: str, model_name: str, source: str = "title") -> migrations.RunPython:
    """A RunPython that writes `search_key = fold(source)` on every existing row."""

    def fill(apps, schema_editor):
        rows = apps.get_model(app_label, model_name).objects.only("pk", source)
        for row in rows.iterator():
            row.search_key = fold(getattr(row, source))
            row.save(update_fields=["search_key"])

    return migrations.RunPython(fill, migrations.RunPython.noop)
