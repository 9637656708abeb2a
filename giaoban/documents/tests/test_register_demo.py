# ruff: noqa: F811 -- the fixtures are imported from register_support, not a shared conftest.py
"""The demo's register: every demo organization has its style; the conclusion notice of the
briefing of 8 October 2021 is number 1 of the provincial board's register, signed by its head
that day and sent to the nine district boards; the 9-month report is a draft."""

from datetime import date

import pytest
from django.core.management import call_command

from giaoban.documents import demo
from giaoban.documents.models import Document, IssuerStyle
from giaoban.documents.paper import System
from giaoban.documents.tasks import document_pdf_make
from giaoban.documents.tests.pki import need_libreoffice
from giaoban.documents.tests.register_support import _media, layout  # noqa: F401 (fixtures)
from giaoban.documents.verification import verify_pdf
from giaoban.orgs.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(layout):
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Organization.objects.get(name="Ban Dân vận Tỉnh ủy Lào Cai")


def test_every_demo_organization_has_a_style_of_its_system(loaded):
    legacy = Organization.objects.filter(unit__path__startswith=loaded.unit.path)
    assert IssuerStyle.objects.filter(organization__in=legacy).count() == legacy.count()
    systems = dict(IssuerStyle.objects.values_list("organization__name", "system"))
    assert systems["Ban Dân vận Tỉnh ủy Lào Cai"] == System.PARTY
    assert systems["Thị ủy Sa Pa"] == System.PARTY
    assert systems["Ủy ban MTTQ Việt Nam thị xã Sa Pa"] == System.FRONT
    assert systems["Đoàn TNCS Hồ Chí Minh thị xã Sa Pa"] == System.YOUTH


def test_the_conclusion_notice_is_number_one_signed_by_the_head(loaded):
    notice = Document.objects.get(organization=loaded, kind="TB")
    assert (notice.status, notice.number_text(), notice.series) == (
        "issued",
        "1-TB/BDVTU",
        "2020-2025",
    )
    assert notice.issued_on == date(2021, 10, 8)
    assert (notice.signer_name, notice.signer_title, notice.signer_authority) == (
        demo.HEAD_NAME,
        "TRƯỞNG BAN",
        "",
    )
    assert notice.signer.is_illustrative
    # The organizations the points stand for: Sa Pa's committee (the demo's only district
    # committee) and the nine district boards, never the points' names.
    names = sorted(notice.recipients.values_list("name", flat=True))
    assert len(names) == 10 and "Thị ủy Sa Pa" in names
    assert sum(name.startswith("Ban Dân vận") for name in names) == 9
    assert notice.recipient_lines[-1].startswith("Lưu")
    assert notice.docx.name


def test_the_consolidated_report_is_drafted_not_issued(loaded):
    report = Document.objects.get(organization=loaded, kind="BC")
    assert (report.status, report.number, report.source) == ("draft", None, "consolidated_report")
    assert report.source_period.year == 2021


def test_a_second_run_changes_nothing(loaded):
    before = list(Document.objects.values_list("pk", "status", "number", "revision"))
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert list(Document.objects.values_list("pk", "status", "number", "revision")) == before


@pytest.mark.once
@pytest.mark.django_db(transaction=True)
def test_the_notices_pdf_is_signed_with_the_demos_certificate(layout, settings, tmp_path):
    """The demo imports a certificate for the board from its own authority and trusts its root,
    so the notice's PDF, made by the real LibreOffice, verifies as signed by the board."""
    need_libreoffice()
    settings.DATA_DIR = tmp_path
    settings.DOCUMENT_TRUSTED_ROOTS = tmp_path / "trusted-roots"
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    board = Organization.objects.get(name="Ban Dân vận Tỉnh ủy Lào Cai")
    notice = Document.objects.get(organization=board, kind="TB")
    document_pdf_make.call(notice.pk)
    notice.refresh_from_db()
    with notice.pdf.open("rb") as stored:
        result = verify_pdf(stored.read())
    assert result.ok, [check.notes for check in result.signatures]
    assert result.signatures[0].signer == board.name
