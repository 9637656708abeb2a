"""`giaoban read_text FILE`: print the draft record of an article or report (.txt or .docx) as
JSON; `-` reads the text from standard input."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from giaoban.core.errors import ApplicationError
from giaoban.publishing import services


class Command(BaseCommand):
    help = "Print the draft record of an article or report (.txt, .docx or - for stdin) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .txt or .docx file, or - for standard input")

    def handle(self, *args, file: str, **options):
        translation.activate("vi")
        try:
            record = services.read_text(self._text(file))
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(json.dumps(record, ensure_ascii=False, indent=2))

    def _text(self, file: str) -> str:
        if file == "-":
            return sys.stdin.read()
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: “%(file)s”.") % {"file": file})
        if path.stat().st_size > services.MAX_UPLOAD_BYTES:
            raise ApplicationError(
                _("The file is too large: at most %(mb)d MB.")
                % {"mb": services.MAX_UPLOAD_BYTES // 1048576}
            )
        return services.text_from_upload(name=path.name, data=path.read_bytes())
