"""The register of the Lào Cai 2021 scenario: every demo organization's document style; the
conclusion notice of the briefing of 8 October 2021, issued by the provincial Ban Dân vận as
number 1 of its register for the 2020-2025 term ("1-TB/BDVTU"), signed by its head that day; the
consolidated 9-month report of 2021 drafted, not issued. Loaded once; a second run changes nothing.

Sources and what is illustrative:
* The provincial Party committee's term 2020-2025: its 16th congress presented the new committee on
  16/10/2020 (baomoi.net.vn, "Sự nghiệp chính trị của tân Bí thư Tỉnh ủy Lào Cai Đặng Xuân
  Phong"); its first meeting was held during the congress, so the term counts from that day
  (36-HD/VPTW, Mục II, 1.3.1.a).
* No source names the head of the provincial Ban Dân vận in 2021: the signer is illustrative and
  marked so in the registry.
* The Papers come from the content's `drafts` functions when they are installed; until then from
  `_notice_paper` / `_report_paper` below, made only of what the article and the record say (the
  lead switches `papers()` to `drafts` at merge).
"""

import logging
from datetime import date
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from giaoban.documents import drafts, services
from giaoban.documents.models import Document, IssuerStyle, SigningCertificate, Source, Term
from giaoban.documents.selectors import issuer_for
from giaoban.meetings import demo as meetings_demo
from giaoban.meetings.models import Conference
from giaoban.orgs.demo.scenario import illustrative_holder
from giaoban.orgs.models import Organization, OrgKind, Person, Unit
from giaoban.publishing.documents import notice_organizations
from giaoban.reporting.models import Period

log = logging.getLogger("giaoban.documents")

PROVINCE_CODE = "10"
TERM = "2020-2025"
TERM_START = date(2020, 10, 16)
BRIEFING_DAY = date(2021, 10, 8)
HEAD_NAME = "Hoàng Thị Minh"
HEAD_TITLE = "Trưởng Ban Dân vận Tỉnh ủy"
HEAD_NOTE = "Minh họa: không nguồn nào nêu tên Trưởng Ban Dân vận Tỉnh ủy Lào Cai năm 2021."
NOTICE_SUMMARY = (
    "Kết luận của đồng chí Vũ Xuân Cường, Phó Bí thư Thường trực Tỉnh ủy, Chủ tịch HĐND tỉnh tại "
    "hội nghị giao ban công tác dân vận 9 tháng, triển khai nhiệm vụ 3 tháng cuối năm 2021"
)
REPORT_SUMMARY = "Kết quả công tác dân vận 9 tháng năm 2021, nhiệm vụ 3 tháng cuối năm 2021"
# The article's own words about the nine months (shared/scenario/laocai-2021-9-month-briefing.txt).
RESULTS = (
    "Trong 9 tháng năm 2021, hệ thống Dân vận từ tỉnh đến cơ sở đã bám sát chương trình công tác, "
    "tích cực triển khai học tập, quán triệt xây dựng chương trình hành động thực hiện Nghị quyết "
    "Đại hội Đại biểu toàn quốc lần thứ XIII của Đảng và Nghị quyết Đại hội Đảng bộ tỉnh Lào Cai "
    "lần thứ XVI."
)


def _province() -> Unit:
    return Unit.objects.get(code=PROVINCE_CODE, parent__isnull=True, valid_to__isnull=False)


def _styles(province: Unit) -> None:
    """A style for every organization of the demo's Lào Cai, from its kind."""
    for organization in Organization.objects.filter(unit__path__startswith=province.path):
        services.style_ensure(organization)


def _terms(province: Unit) -> None:
    """The provincial committee's term, which its boards count by too."""
    party_bodies = Organization.objects.filter(
        unit=province, kind__in=[OrgKind.PARTY_COMMITTEE, OrgKind.MOBILIZATION_BOARD]
    )
    for style in IssuerStyle.objects.filter(organization__in=party_bodies):
        Term.objects.get_or_create(style=style, starts_on=TERM_START, defaults={"label": TERM})


def _head(board: Organization) -> Person:
    return illustrative_holder(
        board,
        title=HEAD_TITLE,
        full_name=HEAD_NAME,
        note=HEAD_NOTE,
        protocol_rank=10,
        start_date=TERM_START,
    )


def papers(conference: Conference, board: Organization, province: Unit, period) -> tuple:
    """(the conclusion notice, the consolidated report) as `drafts` writes them."""
    issuer = issuer_for(board)
    return (
        drafts.conclusion_notice(conference, issuer),
        drafts.consolidated_report(province, period, issuer),
    )


def _demo_documents(board, conference, period):
    """The demo's notice and report if an earlier run made them."""
    mine = Document.objects.filter(organization=board, created_by__isnull=True)
    notice = mine.filter(source=Source.CONCLUSION_NOTICE, source_conference=conference).first()
    report = mine.filter(source=Source.CONSOLIDATED_REPORT, source_period=period).first()
    return notice, report


def _certificate(board: Organization) -> None:
    """The board's signing certificate from the demo's own certificate authority (kept in the
    data directory, its root trusted on this site), so that the notice's PDF is signed."""
    if SigningCertificate.objects.filter(organization=board).exists():
        return
    call_command(
        "demo_ca",
        str(Path(settings.DATA_DIR) / "demo-ca"),
        organization=[board.pk],
        do_import=True,
        trust=True,
        stdout=StringIO(),
    )


@transaction.atomic
def load() -> None:
    province = _province()
    _styles(province)
    _terms(province)
    board = Organization.objects.get(unit=province, kind=OrgKind.MOBILIZATION_BOARD)
    conference = Conference.objects.get(title=meetings_demo.TITLE)
    period = Period.objects.filter(kind="nine", year=2021).first()
    notice_doc, report_doc = _demo_documents(board, conference, period)
    if notice_doc is not None and notice_doc.is_issued:
        return
    notice, report = papers(conference, board, province, period)
    if report_doc is None:
        services.draft(
            user=None,
            organization=board,
            paper=report,
            source=services.DraftSource(
                kind=Source.CONSOLIDATED_REPORT, unit=province, period=period
            ),
        )
    if notice_doc is None:
        notice_doc = services.draft(
            user=None,
            organization=board,
            paper=notice,
            source=services.DraftSource(kind=Source.CONCLUSION_NOTICE, conference=conference),
        )
    _certificate(board)
    services.issue(
        user=None,
        doc=notice_doc,
        signer=_head(board),
        recipients=notice_organizations(conference),
        recipient_lines=[line for line in notice.recipients if line.startswith("Lưu")],
        on=BRIEFING_DAY,
    )
