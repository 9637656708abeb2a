"""Every URL pattern of the site, walked as an anonymous visitor, a viewer, an officer of another
unit and the owner, with its parameters filled by real objects of Sa Pa (bob's and dave's unit).

The patterns come from the resolver, so a new page is walked as soon as it is routed, and a
pattern missing from ACCESS fails the test until someone classifies it: the table stays whole.

Expected answers (pages / API):
  anonymous          login redirect / 401, except PUBLIC
  viewer (dave)      may read Sa Pa's pages; every write is refused (403/404)
  other unit         (charlie, Bát Xát) may not see or touch Sa Pa's objects (403/404); lists and
                     forms without an object answer him too, scoped to his own unit
  owner              200 for a read; a write is not refused (it may still say the input is wrong)
  superuser          (with or without a membership) 200 for every read, lists not empty

A refused write, and any GET (it carries no CSRF token), leaves no change in the audit log (only
the live room's record of a refusal itself).
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver, reverse
from django.urls.resolvers import URLPattern, URLResolver

from giaoban.core.models import AuditEntry
from giaoban.core.services import token_create
from giaoban.documents.tests.register_support import issued_with_files
from giaoban.followup import services as followup_services
from giaoban.media.models import Recording
from giaoban.meetings import services as meeting_services
from giaoban.meetings.documents import document_attach
from giaoban.orgs import services as org_services
from giaoban.orgs.models import Level, OrgKind, Position, Role
from giaoban.orgs.testing import make_user
from giaoban.publishing import services as publishing_services
from giaoban.reporting import excel
from giaoban.reporting import services as reporting_services
from giaoban.reporting.models import Indicator
from giaoban.reporting.views import XLSX

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

# Kinds of pattern -------------------------------------------------------------------------------
PUBLIC = "public"  # no login needed (login page, language switch, health)
LIST = "list"  # a page without an object: every member, scoped to their unit
CREATE = "create"  # a form without an object: editors only (the viewer is refused)
READ = "read"  # one of Sa Pa's objects: Sa Pa's members, not another unit
WRITE = "write"  # a change to one of Sa Pa's objects: its editors only
SERVER = "server"  # called by another server with a shared secret (Janus), never a browser
STAFF = "staff"  # Django's admin: superusers only (classified by rule, see _admin_urls)

REFUSED = {403, 404}
#: Not refused: done, or the input found wrong (the walk's bodies are minimal), or a conflict.
ALLOWED = {200, 201, 204, 302, 400, 409}


@dataclass
class Rule:
    kind: str
    method: str = "GET"
    params: Callable[[dict], dict] = field(default=lambda o: {})
    owner: str = "bob"
    #: A valid request body, so that the request reaches the access check behind the validation.
    data: Callable[[dict], dict] | None = None
    json: bool = False
    query: Callable[[dict], dict] | None = None
    #: Answers that differ from the kind's, per role, each with its reason in a comment.
    expect: dict = field(default_factory=dict)


def get(kind, params=lambda o: {}, **extra) -> Rule:
    return Rule(kind, "GET", params, **extra)


def post(kind, params=lambda o: {}, **extra) -> Rule:
    return Rule(kind, "POST", params, **extra)


def api_post(kind, params=lambda o: {}, data=None, **extra) -> Rule:
    return Rule(kind, "POST", params, data=data, json=True, **extra)


def pk(name: str):
    return lambda o: {"pk": o[name].pk}


def report_id(o):
    return {"report_id": o["report"].pk}


def submitted_id(o):
    return {"report_id": o["submitted"].pk}


def conference_id(o):
    return {"conference_id": o["conference"].pk}


def task_id(o):
    return {"task_id": o["task"].pk}


def assignment_id(o):
    return {"assignment_id": o["assignment"].pk}


def point_id(o):
    return {"point_id": o["point"].pk}


def _xlsx(o):
    """The report's own template, as its officer would download, fill and send back."""
    return SimpleUploadedFile("bao-cao.xlsx", excel.template_workbook(o["report"]), XLSX)


def document_id(o):
    return {"document_id": o["official"].pk}


def conference_and_point(o):
    return {"pk": o["conference"].pk, "point_pk": o["point"].pk}


def conference_and_item(o):
    return {"pk": o["conference"].pk, "item_pk": o["item"].pk}


#: Every named pattern of the site (ninja's operations as `api:<name>`). Unnamed: their route.
ACCESS: dict[str, Rule] = {
    # Accounts and site-wide
    "home": get(LIST),
    "login": get(PUBLIC),
    "logout": post(PUBLIC),
    "password_change": get(LIST),
    "password_change_done": get(LIST),
    "set_language": post(PUBLIC),
    "favicon": get(PUBLIC),
    "two_factor": get(LIST),
    "two_factor_enroll": get(PUBLIC),  # also the pending login's enrolment; refuses a stranger
    "two_factor_verify": get(PUBLIC),  # the pending login's code step
    "^api/": get(PUBLIC),  # the API's JSON 404
    # Registry
    "orgs:unit_tree": get(LIST),
    "orgs:unit_detail": get(READ, pk("unit")),
    "orgs:organization_create": get(CREATE),
    "orgs:organization_detail": get(READ, pk("organization")),
    "orgs:organization_edit": get(WRITE, pk("organization")),
    "orgs:person_list": get(LIST),
    "orgs:person_create": get(CREATE),
    "orgs:person_detail": get(READ, pk("person")),
    "orgs:person_edit": get(WRITE, pk("person")),
    "orgs:position_add": get(WRITE, pk("person")),
    "orgs:position_end": post(WRITE, pk("position")),
    # Reporting
    "reporting:report_list": get(LIST),
    "reporting:report_open": post(
        CREATE,
        data=lambda o: {"form": "dv-9t", "period": o["report"].period_id},
        # The report exists: "opening" it only leads the viewer to the page he may read.
        expect={"viewer": {302}},
    ),
    "reporting:inbox": get(LIST),
    "reporting:consolidated": get(LIST),
    "reporting:consolidated_xlsx": get(LIST),
    "documents:consolidated_docx": get(
        LIST,
        query=lambda o: {"form": "dv-9t", "period": o["report"].period_id, "unit": o["unit"].pk},
        expect={"other": REFUSED},  # the query names Sa Pa
    ),
    "reporting:report_detail": get(READ, pk("report")),
    # Checks typed values against the form's rules without saving: a read.
    "reporting:report_check": post(READ, pk("report")),
    "reporting:report_template": get(READ, pk("report")),
    "reporting:report_upload": post(WRITE, pk("report"), data=lambda o: {"file": _xlsx(o)}),
    # The superior unit decides on a report: the province's leader.
    "reporting:report_approve": post(WRITE, pk("submitted"), owner="erin"),
    "reporting:report_return": post(
        WRITE, pk("submitted"), owner="erin", data=lambda o: {"reason": "Thiếu số liệu"}
    ),
    # Conferences
    "meetings:conference_list": get(LIST),
    "meetings:conference_create": get(CREATE),
    "meetings:conference_detail": get(READ, pk("conference")),
    "meetings:conference_edit": get(WRITE, pk("conference")),
    "meetings:point_edit": get(WRITE, conference_and_point),
    "meetings:point_remove": get(WRITE, conference_and_point),
    "meetings:delegate_remove": get(
        WRITE, lambda o: {"pk": o["conference"].pk, "delegate_pk": o["delegate"].pk}
    ),
    "meetings:agenda_edit": get(WRITE, conference_and_item),
    "meetings:agenda_remove": get(WRITE, conference_and_item),
    "meetings:point_add": post(WRITE, pk("conference")),
    "meetings:points_invite": post(
        WRITE, pk("conference"), data=lambda o: {"level": 3, "parent": o["unit"].pk}
    ),
    "meetings:delegate_invite": post(WRITE, pk("conference")),
    "meetings:guest_add": post(WRITE, pk("conference")),
    "meetings:agenda_add": post(WRITE, pk("conference")),
    "meetings:conclusion_add": post(WRITE, pk("conference")),
    "meetings:conference_start": post(WRITE, pk("conference")),
    "meetings:conference_end": post(WRITE, pk("conference")),
    "meetings:conference_cancel": post(WRITE, pk("other_conference")),
    "meetings:point_confirm": post(WRITE, conference_and_point),
    "meetings:point_delegates": get(WRITE, conference_and_point),
    "meetings:minutes": get(READ, pk("conference")),
    "meetings:host_console": get(WRITE, pk("conference")),
    "meetings:point_console": get(WRITE, pk("conference")),
    "meetings_files:document_download": get(READ, pk("document")),
    "meetings_files:attendance_xlsx": get(READ, pk("conference")),
    # Tasks
    "followup:my_tasks": get(LIST),
    "followup:assigned": get(LIST),
    "followup:overdue": get(LIST),
    "followup:unit_board": get(READ, pk("unit")),
    "followup:task_create": get(CREATE),
    "followup:export_xlsx": get(LIST),
    "followup:task_detail": get(READ, pk("task")),
    "followup:task_assign": post(
        WRITE, pk("task"), data=lambda o: {"organizations": [o["commune_board"].pk], "role": "lead"}
    ),
    # The assignee (Sa Pa ward's board) reports; the assigner (Sa Pa's board) decides.
    "followup:assignment_report": post(
        WRITE,
        pk("assignment"),
        owner="giang",
        data=lambda o: {
            f"a{o['assignment'].pk}-status": "in_progress",
            f"a{o['assignment'].pk}-text": "Đang triển khai",
            f"a{o['assignment'].pk}-revision": o["assignment"].revision,
        },
    ),
    "followup:assignment_accept": post(WRITE, pk("assignment")),
    "followup:assignment_send_back": post(
        WRITE,
        pk("assignment"),
        data=lambda o: {
            f"a{o['assignment'].pk}-reason": "Chưa đủ",
            f"a{o['assignment'].pk}-revision": o["assignment"].revision,
        },
    ),
    "followup:attachment_download": get(READ, pk("attachment")),
    "followup:notifications": get(LIST),
    # Publishing
    "publishing:article": get(READ, pk("conference")),
    "publishing:article_draft": post(WRITE, pk("conference")),
    "publishing:article_docx": get(READ, pk("conference")),
    "publishing:article_html": get(READ, pk("conference")),
    "documents:minutes_docx": get(READ, pk("conference")),
    "documents:conclusion_notice_docx": get(READ, pk("conference")),
    "publishing:read": get(CREATE),
    "publishing:review": get(WRITE, pk("text_import")),
    # Media
    "media:janus_events": post(SERVER),
    "media:library": get(PUBLIC, lambda o: {"name": "janus.js"}),
    # Recordings are for the conference's participants, not for its mere viewers.
    "media:recording": get(READ, pk("recording"), expect={"viewer": {404}}),
    # Home, search, operations
    "home:search": get(LIST),
    "home:readiness": post(WRITE, pk("point"), data=lambda o: {"done": ["room_ready"]}),
    "ops:health_live": get(PUBLIC),
    "ops:health_ready": get(PUBLIC),
    # API (anonymous: 401)
    "api:openapi-json": get(LIST),  # a page: anonymous visitors go to the login
    "api:openapi-view": get(LIST),
    "api:api-root": get(PUBLIC),  # ninja's root: a JSON 404 for everyone
    "api:units": get(LIST),
    "api:people": get(LIST),
    "api:forms": get(LIST),
    "api:periods": get(LIST, query=lambda o: {"form": "dv-9t"}),
    "api:consolidated": get(
        LIST,
        query=lambda o: {"form": "dv-9t", "period": o["report"].period_id, "unit": "088"},
        expect={"other": REFUSED},  # the query names Sa Pa
    ),
    "api:report_read": get(READ, lambda o: {"report_id": o["report"].pk}),
    "api:report_write": api_post(
        WRITE, report_id, data=lambda o: {"revision": o["report"].revision, "values": {}}
    ),
    "api:report_submit": api_post(WRITE, report_id),
    "api:report_return": api_post(
        WRITE, submitted_id, owner="erin", data=lambda o: {"reason": "Thiếu số liệu"}
    ),
    "api:report_approve": api_post(WRITE, submitted_id, owner="erin"),
    "api:report_upload": post(WRITE, report_id, data=lambda o: {"file": _xlsx(o)}),
    "api:conference_list": get(LIST),
    "api:conference_read": get(READ, lambda o: {"conference_id": o["conference"].pk}),
    "api:points_invite": api_post(
        WRITE, conference_id, data=lambda o: {"level": 3, "parent": o["unit"].pk}
    ),
    "api:points_copy": api_post(WRITE, conference_id, data=lambda o: {}),
    "api:conference_secretary": api_post(
        WRITE, conference_id, data=lambda o: {"name": "Lê Thị Hoa", "revision": 1}
    ),
    "api:conference_state": get(READ, lambda o: {"conference_id": o["conference"].pk}),
    "api:conference_act": api_post(WRITE, conference_id, data=lambda o: {"action": "advance"}),
    "api:document_upload": post(
        WRITE,
        conference_id,
        query=lambda o: {"item": o["item"].pk},
        data=lambda o: {"file": SimpleUploadedFile("b.pdf", PDF, "application/pdf")},
    ),
    "api:task_list": get(LIST),
    "api:task_create": api_post(
        CREATE,
        data=lambda o: {
            "title": "Vận động tiêm phòng",
            "deadline": "2099-12-31",
            "assignees": [o["commune_board"].pk],
            "source_document_number": "16-TB/BDVTU",
            "source_document_date": "2021-10-09",
        },
    ),
    "api:task_read": get(READ, lambda o: {"task_id": o["task"].pk}),
    "api:task_assign": api_post(
        WRITE, task_id, data=lambda o: {"organizations": [o["commune_board"].pk]}
    ),
    "api:assignment_progress": api_post(
        WRITE, assignment_id, owner="giang", data=lambda o: {"status": "in_progress"}
    ),
    "api:assignment_accept": api_post(WRITE, assignment_id, data=lambda o: {}),
    "api:assignment_send_back": api_post(
        WRITE, assignment_id, data=lambda o: {"reason": "Chưa đủ"}
    ),
    "api:media_state": get(READ, lambda o: {"conference_id": o["conference"].pk}),
    "api:point_mute": api_post(WRITE, point_id, data=lambda o: {"muted": True}),
    "api:mute_all": api_post(WRITE, conference_id),
    "api:point_remove": api_post(WRITE, point_id),
    "api:test_record": api_post(  # by the bridge point's own operator
        WRITE,
        lambda o: {"point_id": o["ward_point"].pk},
        owner="giang",
        data=lambda o: {"camera": True, "microphone": True, "frames_received": 10},
    ),
    "api:search": get(LIST, query=lambda o: {"q": "Sa Pa"}),
    "api:read": api_post(LIST, data=lambda o: {"text": ARTICLE}),  # reads a text, stores nothing
    # Documents: the register of Sa Pa's board and one of its issued documents (with its files)
    # The user's own register: a redirect to it, for every member.
    "documents:my_register": get(LIST, expect={r: {302} for r in ("viewer", "other", "owner")}),
    "documents:register": get(READ, pk("organization")),
    "documents:document_new": post(
        WRITE, pk("organization"), data=lambda o: {"kind": "TB", "summary": "Kết luận hội nghị"}
    ),
    "documents:document_detail": get(READ, pk("official")),
    "documents:document_docx": get(READ, pk("official")),
    "documents:document_pdf": get(READ, pk("official")),
    # An issued document never changes: its editors get 409, the others are refused.
    "documents:document_edit": post(
        WRITE, pk("official"), data=lambda o: {"summary": "Sửa", "revision": 1}
    ),
    "documents:document_issue": post(WRITE, pk("official"), data=lambda o: {"revision": 1}),
    "documents:document_replace": post(WRITE, pk("official")),
    # Its PDF exists: its editors are told so (a redirect to the page), the others refused.
    "documents:document_pdf_again": post(WRITE, pk("official")),
    "api:document_list": get(LIST),
    "api:document_draft": api_post(
        CREATE,
        data=lambda o: {"organization": o["organization"].pk, "kind": "TB", "summary": "Kết luận"},
        expect={"other": REFUSED},  # the body names Sa Pa's board
    ),
    "api:document_read": get(READ, document_id),
    "api:document_issue": api_post(WRITE, document_id, data=lambda o: {"revision": 1}),
    "api:documents_docx": get(READ, document_id),
    "api:documents_pdf": get(READ, document_id),
    "api:document_pdf_again": api_post(WRITE, document_id, data=lambda o: {}),
    # Documents: verifying a signed PDF reads the upload and stores nothing, for every member
    "documents:verify": get(LIST),
    # The walk's PDF has no signature: every member gets the same 400 "nothing to verify".
    "api:verify": post(
        LIST,
        data=lambda o: {"file": SimpleUploadedFile("a.pdf", PDF, "application/pdf")},
        expect={role: {400} for role in ("viewer", "other", "owner")},
    ),
}


# Sa Pa's objects -------------------------------------------------------------------------------


def _report_form():
    for code, name in [("dialogues_held", "Số cuộc đối thoại"), ("note", "Ghi chú")]:
        kind = "text" if code == "note" else "integer"
        agg = "none" if code == "note" else "sum"
        Indicator.objects.create(code=code, name=name, value_type=kind, aggregation=agg)
    version = reporting_services.form_publish(
        code="dv-9t",
        name="Báo cáo công tác dân vận 9 tháng",
        period_kind="nine",
        reporting_kind=OrgKind.MOBILIZATION_BOARD,
        reporting_levels=[Level.DISTRICT, Level.COMMUNE],
        sections=[reporting_services.SectionSpec("figures", "Kết quả", ["dialogues_held", "note"])],
        rules_=[],
    )
    return version.form


def _conference(tree, bob, title, hour):
    conference = meeting_services.conference_create(
        actor=bob,
        title=title,
        organizer=tree["sapa_board"],
        kind="nine",
        start=datetime(2021, 10, 8, hour, 0, tzinfo=VN),
        end=datetime(2021, 10, 8, hour + 2, 0, tzinfo=VN),
    )
    point = meeting_services.point_add(
        actor=bob,
        conference=conference,
        unit=tree["sapa"],
        name="Điểm cầu Sa Pa",
        is_host=True,
        operator=bob,
    )
    return conference, point


@pytest.fixture
def world(tree, alice, bob, charlie, dave, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    o = {"unit": tree["sapa"], "organization": tree["sapa_board"], "person": tree["toan"]}
    o["position"] = Position.objects.get(person=tree["toan"], organization=tree["sapa_party"])
    commune_board = org_services.organization_create(
        actor=None,
        name="Ban Dân vận Đảng ủy phường Sa Pa",
        kind=OrgKind.MOBILIZATION_BOARD,
        unit=tree["sapa_ward"],
        parent=tree["sapa_board"],
    )
    form = _report_form()
    period = reporting_services.period_get_or_create(kind="nine", year=2021, cutoff_day=14)
    o["report"] = reporting_services.report_open(
        actor=bob, organization=tree["sapa_board"], form=form, period=period
    )
    earlier = reporting_services.period_get_or_create(kind="nine", year=2020, cutoff_day=14)
    submitted = reporting_services.report_open(
        actor=bob, organization=tree["sapa_board"], form=form, period=earlier
    )
    reporting_services.report_save(
        actor=bob, report=submitted, revision=submitted.revision, values={"dialogues_held": 12}
    )
    o["submitted"] = reporting_services.report_submit(actor=bob, report=submitted)
    o["conference"], o["point"] = _conference(tree, bob, "Giao ban dân vận Sa Pa 9 tháng", 8)
    o["other_conference"], _point = _conference(tree, bob, "Giao ban chuyên đề Sa Pa", 14)
    o["delegate"] = meeting_services.delegate_add_guest(
        actor=bob, point=o["point"], full_name="Lê Văn Khách", designation="Phóng viên"
    )
    o["item"] = item = meeting_services.agenda_add(
        actor=bob, conference=o["conference"], kind="report", title="Báo cáo kết quả"
    )
    upload = SimpleUploadedFile("bao-cao.pdf", PDF, "application/pdf")
    o["document"] = document_attach(actor=bob, item=item, upload=upload)
    o["task"] = followup_services.task_create(
        actor=bob,
        title="Tuyên truyền tiêm phòng vắc xin",
        assigner=tree["sapa_board"],
        deadline=date(2021, 12, 31),
        leads=[commune_board],
        created_at=datetime(2021, 10, 8, 17, 0, tzinfo=VN),
        source_document_number="15-TB/BDVTU",
        source_document_date=date(2021, 10, 8),
    )
    o["assignment"] = o["task"].assignments.get()
    o["official"] = issued_with_files(tree["sapa_board"], tree["toan"], PDF)
    o["commune_board"] = commune_board
    o["commune_officer"] = make_user("giang", commune_board, Role.OFFICER)
    o["ward_point"] = meeting_services.point_add(
        actor=bob,
        conference=o["conference"],
        unit=tree["sapa_ward"],
        name="Điểm cầu phường Sa Pa",
        operator=o["commune_officer"],
    )
    progress = SimpleUploadedFile("tien-do.pdf", PDF, "application/pdf")
    followup_services.assignment_report(
        actor=o["commune_officer"],
        assignment=o["assignment"],
        status="in_progress",
        text="Đang tuyên truyền",
        attachment=progress,
    )
    o["attachment"] = o["assignment"].reports.exclude(attachment="").get()
    o["text_import"] = publishing_services.text_import(actor=bob, text=ARTICLE)
    o["recording"] = Recording.objects.create(
        conference=o["conference"],
        point=o["point"],
        file=SimpleUploadedFile("ghi-hinh.webm", b"webm", "video/webm"),
        name="ghi-hinh.webm",
        content_type="video/webm",
        size=4,
    )
    publishing_services.article_draft(actor=bob, conference=o["conference"])
    return o


ARTICLE = """Chiều ngày 08/10/2021, Ban Dân vận Thị ủy Sa Pa tổ chức hội nghị giao ban trực tuyến
công tác dân vận 9 tháng đầu năm 2021. Đồng chí Phan Đăng Toàn, Bí thư Thị ủy dự và chỉ đạo."""


@pytest.fixture
def users(world, tree, alice, bob, charlie, dave):
    erin = make_user("erin", tree["board"], Role.LEADER)  # decides on Sa Pa's reports
    return {
        "alice": alice,
        "bob": bob,
        "charlie": charlie,
        "dave": dave,
        "erin": erin,
        "giang": world["commune_officer"],
    }


# The walk --------------------------------------------------------------------------------------


def _patterns(resolver=None, prefix="", namespace=""):
    """(key, route, pattern) of every URL pattern, with the namespace joined to the name."""
    resolver = resolver or get_resolver()
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            inner = f"{namespace}:{item.namespace}" if namespace and item.namespace else None
            yield from _patterns(
                item, prefix + str(item.pattern), inner or item.namespace or namespace
            )
        elif isinstance(item, URLPattern):
            name = f"{namespace}:{item.name}" if namespace and item.name else item.name
            yield name or prefix + str(item.pattern), prefix + str(item.pattern), item


def test_every_url_pattern_is_classified():
    keys = {key for key, route, _p in _patterns() if not route.startswith("admin/")}
    unknown = sorted(keys - ACCESS.keys())
    assert not unknown, (
        f"URL patterns with no access rule: {unknown}. Classify each in ACCESS in "
        "giaoban/core/tests/test_access_walk.py (PUBLIC, LIST, CREATE, READ, WRITE, SERVER), "
        "with the Sa Pa object that fills its parameters."
    )
    stale = sorted(ACCESS.keys() - keys)
    assert not stale, f"ACCESS names patterns that no longer exist: {stale}"


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _call(client, rule: Rule, url: str, world: dict):
    if rule.query:
        url += "?" + urlencode(rule.query(world))
    if rule.method == "GET":
        return client.get(url)
    data = rule.data(world) if rule.data else {}
    if rule.json:
        return client.post(url, data, content_type="application/json")
    return client.post(url, data)


#: API paths that are pages for people: anonymous visitors are sent to the login.
API_PAGES = {"api:openapi-json", "api:openapi-view"}


def _expected(rule: Rule, role: str, api: bool) -> set[int] | str:
    """The statuses allowed for this pattern and role ("login": a redirect to the login page)."""
    if role in rule.expect:
        return rule.expect[role]
    kind = rule.kind
    if kind == PUBLIC:
        return "any"
    if role == "anonymous":
        return {401} if api else "login"
    if kind == LIST:
        return {200}
    if kind == READ:
        return REFUSED if role == "other" else {200}
    if kind == CREATE and rule.method == "POST" and role == "other":
        return ALLOWED | REFUSED  # in his own unit, but the body names Sa Pa's objects
    if kind == CREATE:
        return REFUSED if role == "viewer" else ALLOWED
    if kind == WRITE:
        return ALLOWED if role == "owner" else REFUSED
    raise AssertionError(kind)


def _verdict(response, expected) -> bool:
    status = response.status_code
    if status >= 500:
        return False
    if expected == "any":
        return True
    if expected == "login":
        return status == 302 and response["Location"].startswith(reverse("login"))
    return status in expected


def test_every_page_answers_each_role_as_the_access_rules_say(world, users):
    failures = []
    rules = {key: (route, ACCESS[key]) for key, route, _p in _patterns() if key in ACCESS}
    # Reads first, then writes, each role before the owner: the owner's writes change the world.
    order = sorted(rules.items(), key=lambda item: item[1][1].method != "GET")
    clients = {name: _client(user) for name, user in users.items()}
    clients[None] = _client(None)
    for key, (route, rule) in order:
        if rule.kind == SERVER:
            continue
        url = _url(key, rule, world)
        api = route.startswith("api/") and key not in API_PAGES
        roles = [
            ("anonymous", None),
            ("viewer", "dave"),
            ("other", "charlie"),
            ("owner", rule.owner),
        ]
        for role, name in roles:
            # Logging out ends the session: that one call gets a client of its own.
            client = _client(users.get(name)) if key == "logout" else clients[name]
            changes = _changes()
            response = _call(client, rule, url, world)
            expected = _expected(rule, role, api)
            if not _verdict(response, expected):
                failures.append(
                    f"{key} {rule.method} {url} as {role}: {response.status_code}, "
                    f"expected {expected}"
                )
            refused = isinstance(expected, set) and expected <= REFUSED
            if (refused or rule.method == "GET") and _changes() != changes:
                # A GET must change nothing: it carries no CSRF token.
                failures.append(f"{key} {rule.method} {url} as {role}: changed something")
    assert not failures, "\n".join(failures)


def _changes() -> int:
    """Audited changes; refusals the live room records on purpose (`live.refused`) are none."""
    return AuditEntry.objects.exclude(action__endswith=".refused").count()


def _url(key: str, rule: Rule, world: dict) -> str:
    if key.startswith("^"):
        return "/api/nothing-here/"
    return reverse(key, kwargs=rule.params(world))


# Django's admin and the server-to-server endpoint -----------------------------------------------


def _admin_urls():
    """Every admin URL, its parameters filled with an app label or "1" (refused before use)."""
    label = next(iter(admin.site._registry))._meta.app_label
    for key, route, pattern in _patterns():
        if not route.startswith("admin/"):
            continue
        if not pattern.name:  # e.g. the old change URL's redirect: fill the route itself
            yield key, "/" + re.sub(r"<[^>]+>", "1", route)
            continue
        names = pattern.pattern.regex.groupindex
        kwargs = {name: label if name == "app_label" else "1" for name in names}
        yield key, reverse(key, kwargs=kwargs)


def test_the_admin_is_for_superusers_only(world, users):
    bob = users["bob"]
    superuser = get_user_model().objects.create_superuser("root", password="x-long-enough-1")
    failures = []
    clients = {role: _client(user) for role, user in [("anonymous", None), ("officer", bob)]}
    for key, url in _admin_urls():
        for role, client in clients.items():
            response = client.get(url)
            if key == "admin:logout":  # logging out is no one's secret
                continue
            if key == "admin:login" and role != "anonymous":  # its form would skip the code step
                refused = response.status_code == 403
            else:
                refused = response.status_code == 302 and "/login/" in response["Location"]
            if not refused:
                failures.append(f"{key} {url} as {role}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert _client(superuser).get(reverse("admin:index")).status_code == 200


def test_the_janus_event_endpoint_refuses_anyone_without_its_secret(world, bob):
    for key, (_route, rule) in {
        k: (r, ACCESS[k]) for k, r, _p in _patterns() if k in ACCESS
    }.items():
        if rule.kind != SERVER:
            continue
        url = _url(key, rule, world)
        for user in (None, bob):
            response = _client(user).post(url, "[]", content_type="application/json")
            assert response.status_code in {401, 403}, f"{key} as {user}: {response.status_code}"


def test_api_tokens_get_the_same_answers_as_sessions(world, bob, charlie):
    """A token acts as its user: Sa Pa's report for bob's token, not for charlie's."""
    url = reverse("api:report_read", kwargs={"report_id": world["report"].pk})
    for user, expected in [(bob, 200), (charlie, 404)]:
        raw = token_create(username=user.username)[1]
        response = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code == expected


# A system administrator ------------------------------------------------------------------------
# Every pattern again as a superuser without a membership (as `giaoban createsuperuser` makes) and
# one placed at the province like the demo's `quantri`. A superuser sees everything: every list
# and page answers 200 (no 404, no crash on a missing organization) and the lists show Sa Pa's
# objects, not an empty table. Writes may be refused (a superuser acts, like everyone, for their
# own organization) but never crash.

CONFERENCE = "Giao ban dân vận Sa Pa 9 tháng"
TASK = "Tuyên truyền tiêm phòng vắc xin"
SAPA_BOARD = "Ban Dân vận Thị ủy Sa Pa"

#: What a list must show when everything is visible (the walk's world has it).
SHOWS = {
    "home": CONFERENCE,
    "meetings:conference_list": CONFERENCE,
    "api:conference_list": CONFERENCE,
    # (The report list is the user's own organization's reports: quantri's board has none.)
    "reporting:inbox": SAPA_BOARD,
    "followup:overdue": TASK,
    "api:task_list": TASK,
    "orgs:person_list": "Phan Đăng Toàn",
    "api:people": "Phan Đăng Toàn",
    "orgs:unit_tree": "Tỉnh Lào Cai",
    "api:units": "Tỉnh Lào Cai",
}


@pytest.fixture
def superusers(tree):
    make = get_user_model().objects.create_superuser
    root = make("root", password="x-long-enough-1")
    quantri = make("quantri", password="x-long-enough-1")
    org_services.membership_set(user=quantri, organization=tree["board"], role=Role.ADMIN)
    return {"root": root, "quantri": quantri}


def _text(response) -> str:
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    if response.get("Content-Type", "").startswith("text/"):
        return response.content.decode()
    return ""


def _walk_as_superuser(user, world) -> list[str]:
    client = _client(user)
    failures = []
    rules = {key: ACCESS[key] for key, _route, _p in _patterns() if key in ACCESS}
    # Reads first: the writes change the world.
    for key, rule in sorted(rules.items(), key=lambda item: item[1].method != "GET"):
        if rule.kind == SERVER or key == "logout":
            continue
        url = _url(key, rule, world)
        response = _call(client, rule, url, world)
        status = response.status_code
        reads = rule.kind in (LIST, READ) and rule.method == "GET"
        if status >= 500 or (reads and status != 200):
            failures.append(f"{key} {url} as {user.username}: {status}")
        elif reads and key in SHOWS and SHOWS[key] not in _text(response):
            failures.append(f"{key} {url} as {user.username}: no “{SHOWS[key]}”")
    return failures


@pytest.mark.parametrize("name", ["root", "quantri"])
def test_a_superuser_sees_every_list_and_page(world, users, superusers, name):
    failures = _walk_as_superuser(superusers[name], world)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", ["root", "quantri"])
def test_a_superuser_finds_every_conference(world, superusers, name):
    client = _client(superusers[name])
    page = client.get("/search/", {"q": "chuyên đề"}).content.decode()
    assert "Giao ban chuyên đề Sa Pa" in page
    found = client.get("/api/v1/search", {"q": "chuyên đề"}).json()["results"]
    assert any(row["label"] == "Giao ban chuyên đề Sa Pa" for row in found)
