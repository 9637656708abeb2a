# ruff: noqa: F811 -- the fixtures are imported from register_support, not a shared conftest.py
"""The register as officers use it: styles from the organization's kind, drafting, editing with
the optimistic lock, issuing with the next number of the series, the signer's authority from the
registry, and a correction that replaces an issued document."""

from datetime import date

import pytest

from giaoban.core.errors import ApplicationError, ConcurrentEdit, InvalidInput, PermissionDenied
from giaoban.core.models import AuditEntry
from giaoban.documents import services
from giaoban.documents.models import Document, RegisterCounter, Term
from giaoban.documents.paper import System
from giaoban.documents.selectors import issuer_for
from giaoban.documents.tests.register_support import (  # noqa: F401 (fixtures)
    BRIEFING_DAY,
    RENDERED,
    _english,
    _media,
    board,
    deputy,
    draft_for,
    front,
    head,
    holder,
    layout,
    peoples_committee,
    style_of,
)
from giaoban.orgs.models import Role
from giaoban.orgs.testing import make_user

pytestmark = pytest.mark.django_db


def issue(doc, signer, **kwargs):
    return services.issue(
        user=None, doc=doc, signer=signer, on=kwargs.pop("on", BRIEFING_DAY), **kwargs
    )


# Styles ------------------------------------------------------------------------------------


def test_it_heads_a_mobilization_board_as_a_party_body_under_its_committee(tree):
    issuer = issuer_for(tree["board"])
    assert issuer.system == System.PARTY
    assert (issuer.superior, issuer.name, issuer.symbol) == (
        "TỈNH ỦY LÀO CAI",
        "BAN DÂN VẬN",
        "BDVTU",
    )
    assert issuer.place == "Lào Cai"
    batxat = issuer_for(tree["batxat_board"])
    assert (batxat.superior, batxat.symbol, batxat.place) == (
        "HUYỆN ỦY BÁT XÁT",
        "BDVHU",
        "Bát Xát",
    )


def test_it_heads_each_kind_of_body_in_its_own_system(tree, peoples_committee, front):
    committee = issuer_for(tree["sapa_party"])
    assert (committee.system, committee.superior, committee.name, committee.symbol) == (
        System.PARTY,
        "ĐẢNG BỘ TỈNH LÀO CAI",
        "THỊ ỦY SA PA",
        "TU",
    )
    state = issuer_for(peoples_committee)
    assert (state.system, state.name, state.symbol, state.place) == (
        System.STATE,
        "ỦY BAN NHÂN DÂN THỊ XÃ SA PA",
        "UBND",
        "Sa Pa",
    )
    assert (issuer_for(front).system, issuer_for(front).symbol) == (System.FRONT, "MTTQ-BTT")


def test_the_youth_union_numbers_like_the_party_and_unions_have_their_symbols(tree):
    from giaoban.orgs import services as org_services
    from giaoban.orgs.models import OrgKind

    youth = org_services.organization_create(
        actor=None,
        name="Đoàn TNCS Hồ Chí Minh thị xã Sa Pa",
        kind=OrgKind.YOUTH_UNION,
        unit=tree["sapa"],
    )
    issuer = issuer_for(youth)
    assert (issuer.system, issuer.superior, issuer.name, issuer.symbol) == (
        System.YOUTH,
        "BCH ĐOÀN TỈNH LÀO CAI",
        "BCH ĐOÀN THỊ XÃ SA PA",
        "TĐTN",
    )
    secretary = holder(tree, "sapa", youth, "Lý Thị Hoa", "Bí thư Thị đoàn")
    doc = issue(draft_for(youth), secretary)
    assert doc.number_text() == "1-TB/TĐTN"
    assert (doc.signer_authority, doc.signer_title) == ("TM. BAN THƯỜNG VỤ", "BÍ THƯ")
    women = org_services.organization_create(
        actor=None,
        name="Hội Liên hiệp Phụ nữ thị xã Sa Pa",
        kind=OrgKind.WOMENS_UNION,
        unit=tree["sapa"],
    )
    assert (issuer_for(women).system, issuer_for(women).symbol) == (System.FRONT, "HLHPN")


def test_an_edited_style_is_what_the_issuer_says(tree, board):
    style = style_of(board)
    style.name = "BAN TUYÊN GIÁO VÀ DÂN VẬN"
    style.save()
    assert issuer_for(board).name == "BAN TUYÊN GIÁO VÀ DÂN VẬN"


# Numbering ---------------------------------------------------------------------------------


def test_a_party_register_numbers_each_kind_from_one_in_the_term(tree, board, head):
    first = issue(draft_for(board), head)
    second = issue(draft_for(board), head, on=date(2022, 3, 1))
    report = issue(draft_for(board, kind="BC"), head, on=date(2022, 3, 2))
    assert (first.number, first.series, first.number_text()) == (1, "2020-2025", "1-TB/BDVTU")
    assert second.number == 2  # the term goes on across the new year
    assert (report.number, report.number_text()) == (1, "1-BC/BDVTU")


def test_a_new_term_starts_again_from_one(tree, board, head):
    issue(draft_for(board), head)
    Term.objects.create(style=style_of(board), label="2025-2030", starts_on=date(2025, 10, 1))
    later = issue(draft_for(board), head, on=date(2025, 10, 2))
    assert (later.series, later.number) == ("2025-2030", 1)


def test_a_state_register_numbers_every_kind_in_one_series_per_year(tree, peoples_committee):
    chair = holder(tree, "sapa", peoples_committee, "Lò Văn Sơn", "Chủ tịch UBND thị xã")
    notice = issue(draft_for(peoples_committee), chair)
    report = issue(draft_for(peoples_committee, kind="BC"), chair)
    next_year = issue(draft_for(peoples_committee, kind="BC"), chair, on=date(2022, 1, 3))
    assert [notice.number, report.number] == [1, 2]
    assert (report.series, report.number_text()) == ("2021", "2/BC-UBND")
    assert (next_year.series, next_year.number) == ("2022", 1)


def test_a_party_body_without_a_recorded_term_is_refused_and_nothing_taken(tree, head):
    Term.objects.all().delete()
    doc = draft_for(tree["board"])
    with pytest.raises(InvalidInput) as refused:
        issue(doc, head)
    assert "no term is recorded" in refused.value.message
    assert not RegisterCounter.objects.exists()
    assert Document.objects.get(pk=doc.pk).status == "draft"


# Issuing -----------------------------------------------------------------------------------


def test_issuing_stores_the_docx_of_the_numbered_signed_paper(tree, board, head):
    doc = issue(
        draft_for(board),
        head,
        recipients=[tree["sapa_board"], tree["batxat_board"]],
        recipient_lines=["Thường trực Tỉnh ủy (b/c)"],
    )
    paper = RENDERED[-1]
    assert (paper.number, paper.issued_on) == (1, BRIEFING_DAY)
    assert (paper.signature.title, paper.signature.authority) == ("TRƯỞNG BAN", "")
    assert paper.signature.name == "Nguyễn Thị Hoa"
    assert paper.recipients == (
        "Ban Dân vận Huyện ủy Bát Xát",
        "Ban Dân vận Thị ủy Sa Pa",
        "Thường trực Tỉnh ủy (b/c)",
        "Lưu Văn phòng",  # a Party body's copy (36-HD/VPTW), added when the draft had none
    )
    with doc.docx.open("rb") as stored:
        assert stored.read()[:2] == b"PK"
    assert AuditEntry.objects.filter(action="document.issue", object_id=str(doc.pk)).exists()


def test_issuing_twice_is_refused_and_the_number_unchanged(tree, board, head):
    doc = issue(draft_for(board), head)
    with pytest.raises(ApplicationError) as refused:
        issue(doc, head)
    assert refused.value.code == "conflict"
    assert "already issued" in refused.value.message
    assert Document.objects.get(pk=doc.pk).number == 1
    assert RegisterCounter.objects.get().last == 1


def test_issuing_without_a_signer_is_refused_and_nothing_written(tree, board):
    doc = draft_for(board)
    with pytest.raises(InvalidInput) as refused:
        issue(doc, None)
    assert refused.value.field == "signer"
    doc.refresh_from_db()
    assert (doc.status, doc.number, doc.docx.name) == ("draft", None, "")
    assert not RegisterCounter.objects.exists()


def test_a_failing_layout_takes_no_number(tree, board, head, layout):
    def broken(paper):
        raise RuntimeError("layout failed")

    layout.render = broken
    doc = draft_for(board)
    with pytest.raises(RuntimeError):
        issue(doc, head)
    doc.refresh_from_db()
    assert (doc.status, doc.number) == ("draft", None)
    assert not RegisterCounter.objects.exists()


def test_an_issued_document_is_refused_for_edit(tree, board, head):
    doc = issue(draft_for(board), head)
    with pytest.raises(ApplicationError) as refused:
        services.edit(user=None, doc=doc, revision=doc.revision, summary="Khác")
    assert "never changes" in refused.value.message
    assert Document.objects.get(pk=doc.pk).summary == doc.summary


def test_an_edit_on_a_stale_page_is_refused(tree, board):
    doc = draft_for(board)
    services.edit(user=None, doc=doc, revision=1, summary="Bản sửa thứ nhất")
    with pytest.raises(ConcurrentEdit):
        services.edit(user=None, doc=doc, revision=1, summary="Bản sửa thứ hai")
    doc.refresh_from_db()
    assert (doc.summary, doc.revision) == ("Bản sửa thứ nhất", 2)
    assert AuditEntry.objects.filter(action="document.edit").count() == 1


def test_an_edit_names_every_wrong_field(tree, board):
    doc = draft_for(board)
    with pytest.raises(InvalidInput) as refused:
        services.edit(user=None, doc=doc, revision=1, kind="XX", summary=" ", body="text")
    assert set(refused.value.errors) == {"kind", "summary", "body"}


# The signer's authority --------------------------------------------------------------------


def test_a_deputy_of_a_board_signs_for_its_head(tree, board, deputy):
    issue(draft_for(board), deputy)
    signature = RENDERED[-1].signature
    assert (signature.authority, signature.title) == ("K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN")


def test_a_committee_secretary_signs_for_its_standing_board(tree):
    style = style_of_saved(tree["sapa_party"])
    Term.objects.create(style=style, label="2020-2025", starts_on=date(2020, 7, 1))
    issue(draft_for(tree["sapa_party"]), tree["toan"])  # "Bí thư Thị ủy"
    signature = RENDERED[-1].signature
    assert (signature.authority, signature.title) == ("T/M BAN THƯỜNG VỤ", "BÍ THƯ")


def style_of_saved(org):
    return services.style_ensure(org)


def test_a_peoples_committee_is_signed_for_the_committee(tree, peoples_committee):
    chair = holder(tree, "sapa", peoples_committee, "Lò Văn Sơn", "Chủ tịch UBND thị xã")
    vice = holder(tree, "sapa", peoples_committee, "Hoàng Thị Mai", "Phó Chủ tịch UBND thị xã")
    issue(draft_for(peoples_committee), chair)
    assert RENDERED[-1].signature.authority == "TM. ỦY BAN NHÂN DÂN"
    issue(draft_for(peoples_committee), vice)
    signature = RENDERED[-1].signature
    assert signature.authority == "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH"
    assert signature.title == "PHÓ CHỦ TỊCH"


def test_the_front_is_signed_for_its_standing_board(tree, front):
    chair = holder(tree, "sapa", front, "Vàng A Dình", "Chủ tịch Ủy ban MTTQ thị xã")
    issue(draft_for(front), chair)
    assert (RENDERED[-1].signature.authority, RENDERED[-1].signature.title) == (
        "TM. BAN THƯỜNG TRỰC",
        "CHỦ TỊCH",
    )


def test_a_signer_without_a_position_on_the_day_is_refused_by_name(tree, board):
    former = holder(
        tree,
        "laocai",
        board,
        "Lê Văn Cũ",
        "Trưởng Ban",
        start=date(2015, 1, 1),
        end=date(2020, 12, 31),
    )
    doc = draft_for(board)
    with pytest.raises(InvalidInput) as refused:
        issue(doc, former)
    assert "Lê Văn Cũ holds no position at Ban Dân vận Tỉnh ủy Lào Cai on 08/10/2021" in (
        refused.value.message
    )
    assert Document.objects.get(pk=doc.pk).status == "draft"


def test_a_member_whose_position_does_not_sign_is_refused_by_name(tree):
    style_of_saved(tree["sapa_party"])
    doc = draft_for(tree["sapa_party"])
    member = holder(tree, "sapa", tree["sapa_party"], "Lê Mạnh Hảo", "Uỷ viên BTV")
    with pytest.raises(InvalidInput) as refused:
        issue(doc, member)
    assert "Lê Mạnh Hảo is Uỷ viên BTV at Thị ủy Sa Pa" in refused.value.message


# Who may write -----------------------------------------------------------------------------


def test_a_district_officer_cannot_draft_or_issue_for_the_province(tree, board, head):
    charlie = make_user("charlie", tree["batxat_board"], Role.OFFICER)
    with pytest.raises(PermissionDenied):
        draft_for(board, charlie)
    doc = draft_for(board)
    with pytest.raises(PermissionDenied):
        services.issue(user=charlie, doc=doc, signer=head)


def test_a_provincial_officer_may_write_for_a_district(tree):
    alice = make_user("alice", tree["board"], Role.OFFICER)
    doc = draft_for(tree["sapa_board"], alice)
    assert doc.created_by == alice


def test_a_viewer_cannot_draft(tree):
    dave = make_user("dave", tree["sapa_board"], Role.VIEWER)
    with pytest.raises(PermissionDenied):
        draft_for(tree["sapa_board"], dave)


# Replacing ---------------------------------------------------------------------------------


def test_a_replacement_keeps_both_in_the_register(tree, board, head):
    first = issue(draft_for(board), head, recipients=[tree["sapa_board"]])
    correction = services.replace(user=None, doc=first)
    assert (correction.status, correction.replaces, correction.summary) == (
        "draft",
        first,
        first.summary,
    )
    assert list(correction.recipients.all()) == [tree["sapa_board"]]
    issued = issue(correction, head)
    first.refresh_from_db()
    assert (first.status, first.number, first.replaced_by) == ("issued", 1, issued)
    assert issued.number == 2
    with pytest.raises(ApplicationError):
        services.replace(user=None, doc=first)  # replaced once


def test_a_draft_is_not_replaced_but_edited(tree, board):
    with pytest.raises(ApplicationError):
        services.replace(user=None, doc=draft_for(board))


def test_a_second_signature_is_kept_from_the_draft_to_the_paper(tree, board):
    from dataclasses import dataclass

    from giaoban.documents.paper import Paper, Signature
    from giaoban.documents.tests.register_support import paper_for

    @dataclass(frozen=True)
    class TwoSigned(Paper):  # the content branch adds the field to Paper itself
        second_signature: Signature | None = None

    secretary = Signature(title="THƯ KÝ", name="Lê Hưng")
    paper = TwoSigned(**{**paper_for(board).__dict__, "second_signature": secretary})
    doc = services.draft(user=None, organization=board, paper=paper)
    assert doc.second_signature == {"title": "THƯ KÝ", "name": "Lê Hưng", "authority": ""}
    assert getattr(doc.paper(), "second_signature", secretary) == secretary
