"""`giaoban restore FILE [--replace]`: put a backup back, into an empty installation unless
--replace."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from giaoban.core.errors import ApplicationError
from giaoban.ops.backup import backup_restore


class Command(BaseCommand):
    help = "Restore a backup made by `giaoban backup` (into an empty installation)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace everything this installation holds (its files are kept aside).",
        )

    def handle(self, *args, file: Path, replace: bool, **options):
        try:
            manifest = backup_restore(source=file, replace=replace)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        total = sum(manifest["objects"].values())
        files = len(manifest["members"]) - 1
        self.stdout.write(
            f"Đã khôi phục {total} bản ghi và {files} tệp từ bản sao lưu lập lúc "
            f"{manifest['created_at']} ({manifest['database']})."
        )
