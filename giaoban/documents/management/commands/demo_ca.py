"""`giaoban demo_ca DIR` makes the demo's certificate authority in DIR (root.pem, root-key.pem,
kept and reused on the next run) and a PKCS#12 file per organization (org-<id>.p12); with
--import it imports them, with --trust it copies the root into DOCUMENT_TRUSTED_ROOTS. For the
demo and tests only: its certificates prove nothing to anyone else."""

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from giaoban.core.errors import ApplicationError
from giaoban.documents import demo_ca
from giaoban.documents.certificates import certificate_import
from giaoban.orgs.models import Organization

DEMO_PASSWORD = "giaoban-demo"


class Command(BaseCommand):
    help = "Make the demo's test certificate authority and a certificate per organization."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--organization", type=int, action="append", help="Only these ids (repeatable)."
        )
        parser.add_argument("--password", default=DEMO_PASSWORD, help="The PKCS#12 password.")
        parser.add_argument("--import", dest="do_import", action="store_true")
        parser.add_argument("--trust", action="store_true", help="Trust the root on this site.")

    def handle(self, *args, directory: Path, **options):
        directory.mkdir(parents=True, exist_ok=True)
        authority = self._authority(directory)
        organizations = Organization.objects.order_by("pk")
        if options["organization"]:
            organizations = organizations.filter(pk__in=options["organization"])
        for organization in organizations:
            key, certificate = demo_ca.certificate_issue(authority, organization.name)
            data = demo_ca.pkcs12_bytes(
                key, certificate, [authority.certificate], options["password"]
            )
            path = directory / f"org-{organization.pk}.p12"
            path.write_bytes(data)
            path.chmod(0o600)
            if options["do_import"]:
                self._import(organization, data, options["password"])
        if options["trust"]:
            self._trust(authority)
        count = organizations.count()
        self.stdout.write(f"Gốc thử nghiệm: {directory / 'root.pem'} ({count} tổ chức)")

    def _authority(self, directory: Path) -> demo_ca.Authority:
        root, key = directory / "root.pem", directory / "root-key.pem"
        if root.is_file() and key.is_file():
            return demo_ca.Authority(
                serialization.load_pem_private_key(key.read_bytes(), password=None),
                x509.load_pem_x509_certificate(root.read_bytes()),
            )
        authority = demo_ca.authority_make()
        key.write_bytes(authority.key_pem())
        key.chmod(0o600)
        root.write_bytes(authority.certificate_pem())
        return authority

    def _import(self, organization, data: bytes, password: str) -> None:
        try:
            certificate_import(actor=None, organization=organization, data=data, password=password)
        except ApplicationError as exc:
            raise CommandError(f"{organization.name}: {exc.message}") from None

    def _trust(self, authority: demo_ca.Authority) -> None:
        roots = Path(settings.DOCUMENT_TRUSTED_ROOTS)
        if roots.suffix.lower() in {".pem", ".crt"} and not roots.is_dir():
            existing = roots.read_bytes() if roots.is_file() else b""
            if authority.certificate_pem() not in existing:
                roots.write_bytes(existing + authority.certificate_pem())
        else:
            roots.mkdir(parents=True, exist_ok=True)
            (roots / "giaoban-demo-root.pem").write_bytes(authority.certificate_pem())
        self.stdout.write(f"Gốc thử nghiệm đã được tin cậy: {roots}")
