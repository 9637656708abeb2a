"""Fixtures of the register's tests, on the registry's test tree (root conftest.py): the provincial
board with its head and deputy, Sa Pa's committee, a people's committee and a Front committee, and
the layout's papers recorded as it renders them."""

from datetime import date

import pytest
from django.utils import translation

from giaoban.documents import layout as layout_module
from giaoban.documents import services
from giaoban.documents.models import IssuerStyle, Term
from giaoban.documents.paper import Block, Paper
from giaoban.documents.selectors import default_style, issuer_for
from giaoban.orgs import services as org_services
from giaoban.orgs.models import OrgKind

BRIEFING_DAY = date(2021, 10, 8)

#: What the fake layout was asked to render, newest last.
RENDERED: list[Paper] = []


@pytest.fixture(autouse=True)
def layout(monkeypatch):
    """The real `giaoban.documents.layout.render`, recording each Paper it is asked to render."""
    RENDERED.clear()
    real = layout_module.render

    def render(paper):
        RENDERED.append(paper)
        return real(paper)

    monkeypatch.setattr(layout_module, "render", render)
    return layout_module


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def vi(message: str) -> str:
    from django.utils.translation import gettext

    with translation.override("vi"):
        return gettext(message)


def holder(tree, unit_key, org, name, title, *, start=None, end=None):
    person = org_services.person_create(actor=None, full_name=name, unit=tree[unit_key])
    org_services.position_add(
        actor=None,
        person=person,
        organization=org,
        title=title,
        protocol_rank=10,
        start_date=start,
        end_date=end,
    )
    return person


@pytest.fixture
def board(tree):
    """The provincial board, counted by the 2020-2025 term, with its term recorded."""
    style = default_style(tree["board"])
    style.save()
    Term.objects.create(style=style, label="2020-2025", starts_on=date(2020, 10, 17))
    return tree["board"]


@pytest.fixture
def head(tree, board):
    return holder(tree, "laocai", board, "Nguyễn Thị Hoa", "Trưởng Ban Dân vận Tỉnh ủy")


@pytest.fixture
def deputy(tree, board):
    return holder(tree, "laocai", board, "Trần Văn Nam", "Phó Trưởng ban")


@pytest.fixture
def peoples_committee(tree):
    return org_services.organization_create(
        actor=None, name="UBND thị xã Sa Pa", kind=OrgKind.PEOPLES_COMMITTEE, unit=tree["sapa"]
    )


@pytest.fixture
def front(tree):
    return org_services.organization_create(
        actor=None,
        name="Ủy ban MTTQ Việt Nam thị xã Sa Pa",
        kind=OrgKind.FATHERLAND_FRONT,
        unit=tree["sapa"],
    )


def paper_for(org, *, kind="TB", summary="Kết luận của đồng chí chủ trì hội nghị giao ban"):
    return Paper(
        issuer=issuer_for(org),
        kind=kind,
        title="THÔNG BÁO" if kind == "TB" else "BÁO CÁO",
        summary=summary,
        body=(Block("paragraph", "Chiều 08/10/2021, Ban Dân vận Tỉnh ủy tổ chức hội nghị."),),
    )


def draft_for(org, user=None, **kwargs):
    return services.draft(user=user, organization=org, paper=paper_for(org, **kwargs))


def style_of(org) -> IssuerStyle:
    return IssuerStyle.objects.get(organization=org)


def issued_with_files(organization, signer, pdf: bytes):
    """A notice as the register leaves it once issued: numbered, with its .docx and its signed
    PDF stored (for tests of who may reach them, not of how they are made)."""
    from django.core.files.base import ContentFile

    from giaoban.documents.models import Document

    doc = Document.objects.create(
        organization=organization,
        kind="TB",
        status="issued",
        title="THÔNG BÁO",
        summary="Kết luận hội nghị giao ban",
        number=1,
        series="2021",
        issued_on=date(2021, 10, 8),
        signer=signer,
        signer_name=signer.full_name,
        pdf_state="ready",
    )
    doc.docx.save("1.docx", ContentFile(b"PK\x03\x04 docx"), save=False)
    doc.pdf.save("1.pdf", ContentFile(pdf), save=True)
    return doc
