"""`giaoban certificate import ORG_ID FILE` imports an organization's PKCS#12 file (asking for its
password, or reading it from --password-file); `giaoban certificate list [ORG_ID]` shows what the
imported certificates say. The key is stored encrypted and never shown again."""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from giaoban.core.errors import ApplicationError
from giaoban.documents.certificates import MAX_PKCS12_BYTES, certificate_import
from giaoban.documents.models import SigningCertificate
from giaoban.orgs.models import Organization


class Command(BaseCommand):
    help = "Import an organization's signing certificate (PKCS#12), or list the imported ones."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        importing = actions.add_parser("import", help="Import one organization's .p12/.pfx file.")
        importing.add_argument("organization", type=int, help="The organization's id.")
        importing.add_argument("file", type=Path)
        importing.add_argument(
            "--password-file", type=Path, help="Read the password from this file (first line)."
        )
        listing = actions.add_parser("list", help="The imported certificates.")
        listing.add_argument("organization", type=int, nargs="?")

    def handle(self, *args, action, **options):
        if action == "list":
            return self._list(options["organization"])
        organization = Organization.objects.filter(pk=options["organization"]).first()
        if organization is None:
            raise CommandError(f"Không có tổ chức số {options['organization']}.")
        path: Path = options["file"]
        try:
            with path.open("rb") as source:
                data = source.read(MAX_PKCS12_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {path}: {exc.strerror}") from None
        password = self._password(options["password_file"])
        try:
            record = certificate_import(
                actor=None, organization=organization, data=data, password=password
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Đã nhập chứng thư số cho “{organization.name}”:")
        self._show(record)

    def _password(self, path: Path | None) -> str:
        if path is not None:
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise CommandError(f"Không đọc được tệp mật khẩu {path}: {exc.strerror}") from None
            return lines[0] if lines else ""
        return getpass.getpass("Mật khẩu của tệp PKCS#12 / PKCS#12 password: ")

    def _show(self, record: SigningCertificate) -> None:
        day = "%d/%m/%Y"
        valid = (
            f"{timezone.localtime(record.not_before).strftime(day)} – "
            f"{timezone.localtime(record.not_after).strftime(day)}"
        )
        self.stdout.write(f"  chủ thể: {record.subject}")
        self.stdout.write(f"  cấp bởi: {record.issuer}")
        self.stdout.write(f"  hiệu lực: {valid}")
        self.stdout.write(f"  vân tay SHA-256: {record.fingerprint}")

    def _list(self, organization_id: int | None) -> None:
        records = SigningCertificate.objects.select_related("organization")
        if organization_id is not None:
            records = records.filter(organization_id=organization_id)
        for record in records:
            self.stdout.write(f"{record.organization_id}\t{record.organization.name}")
            self._show(record)
