"""`giaoban backup FILE`: the database and the uploaded files in one checked archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from giaoban.core.errors import ApplicationError
from giaoban.ops.backup import backup_create


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into FILE (.tar.gz, with a manifest)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if file.exists():
            raise CommandError(f"{file} đã tồn tại: hãy chọn tên tệp khác.")
        if not file.parent.is_dir():
            raise CommandError(f"Thư mục {file.parent} không tồn tại.")
        try:
            summary = backup_create(target=file)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"Đã sao lưu {sum(summary.objects.values())} bản ghi và {summary.files} tệp "
            f"({summary.bytes} byte) vào {file}."
        )
