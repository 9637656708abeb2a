"""Documents and the attendance record: a file is accepted for what it contains, not for its name,
kept under a random name, and given only to the conference's participants; the attendance
workbook holds the delegates, the log and no formula from anything a user typed."""

import io
import re
import unicodedata
import zipfile
from datetime import datetime

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import Workbook, load_workbook

from giaoban.core.errors import InvalidInput, PermissionDenied
from giaoban.meetings import services
from giaoban.meetings.documents import (
    DOCX,
    MAX_DOCUMENT_BYTES,
    PDF,
    XLSX,
    document_attach,
    download_name,
)
from giaoban.meetings.exports import attendance_workbook
from giaoban.meetings.live import presence
from giaoban.meetings.models import Document
from giaoban.testing.refusals import refused

from .conftest import VN

pytestmark = pytest.mark.django_db


def pdf_bytes() -> bytes:
    """A real one-page PDF, with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("Báo cáo kết quả công tác dân vận 9 tháng năm 2021")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    wb = Workbook()
    wb.active["A1"] = "Số liệu kèm theo"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # A deliberately slow password hash would be most of the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return tmp_path


@pytest.fixture
def item(conference):
    return conference.agenda.get(order=2)


def _stored(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()]


# Accepting and refusing ----------------------------------------------------------------


def test_a_real_pdf_is_accepted(item, operators):
    upload = SimpleUploadedFile("Báo cáo.pdf", pdf_bytes(), "application/octet-stream")
    document = document_attach(actor=operators["host"], item=item, upload=upload)
    assert (document.content_type, document.size) == (PDF, len(pdf_bytes()))
    assert document.uploaded_by == operators["host"]
    with document.file.open("rb") as handle:
        assert handle.read() == pdf_bytes()


def test_an_uploaded_file_that_claims_to_be_a_pdf_but_is_not_is_refused(item, media):
    upload = SimpleUploadedFile("bao-cao.pdf", b"Day chi la van ban thuong.\n", "application/pdf")
    with pytest.raises(InvalidInput) as refused:
        document_attach(actor=None, item=item, upload=upload)
    assert "bao-cao.pdf" in refused.value.message and "PDF" in refused.value.message
    assert refused.value.field == "file"
    assert not Document.objects.exists() and _stored(media) == []


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [("Kế hoạch.docx", docx_bytes, DOCX), ("Số liệu.xlsx", xlsx_bytes, XLSX)],
)
def test_real_word_and_excel_files_are_accepted(item, name, content, expected):
    document = document_attach(actor=None, item=item, upload=SimpleUploadedFile(name, content()))
    assert document.content_type == expected and document.original_name == name


def test_the_type_comes_from_the_content_not_the_name(item):
    """A Word file sent as "ghi-chu.pdf" is stored as Word and offered as .docx."""
    upload = SimpleUploadedFile("ghi-chu.pdf", docx_bytes(), "application/pdf")
    document = document_attach(actor=None, item=item, upload=upload)
    assert document.content_type == DOCX
    assert download_name(document) == "ghi-chu.pdf.docx"


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


_MACRO_WORKBOOK = {
    "[Content_Types].xml": b"<Types/>",
    "xl/workbook.xml": b"<workbook/>",
    "xl/vbaProject.bin": b"\0",
}


_NONE = "Only PDF, Word (.docx) and Excel (.xlsx) files can be attached; “%(name)s” is none."
_NAMED_LIKE = (
    "“%(name)s” is named like a %(kind)s file but its content is not one. Open it, "
    "save it again as %(kind)s and attach it again."
)
_MACROS = (
    "“%(name)s” contains macros. Save it as a plain Word (.docx) or Excel (.xlsx) "
    "file, without macros, and attach it again."
)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("ghi-chu.txt", b"Ghi chu", _NONE),
        ("anh.docx", b"\x89PNG\r\n\x1a\n" + b"\0" * 32, _NAMED_LIKE),
        ("nen.zip", _zip({"readme.txt": b"x"}), _NONE),
        ("thieu.docx", _zip({"word/document.xml": b"<w/>"}), _NAMED_LIKE),  # no [Content_Types]
        ("macro.xlsx", _zip(_MACRO_WORKBOOK), _MACROS),
        ("trong.pdf", b"", "The file is empty."),
    ],
)
def test_other_files_are_refused(item, name, content, message, media):
    kind = name.rsplit(".", 1)[1].upper()
    expected = gettext(message) % {"name": name, "kind": kind}
    with refused(InvalidInput, expected, field="file"):
        document_attach(actor=None, item=item, upload=SimpleUploadedFile(name, content))
    assert _stored(media) == []


class _Huge(UploadedFile):
    """Says it is 1 byte over the limit; reading it fails the test."""

    def __init__(self):
        super().__init__(file=io.BytesIO(b""), name="lon.pdf", size=MAX_DOCUMENT_BYTES + 1)

    def read(self, *args):
        raise AssertionError("read before the size was checked")

    def chunks(self, *args):
        raise AssertionError("read before the size was checked")


def test_an_oversize_upload_is_refused_before_reading(item, media):
    with pytest.raises(InvalidInput) as refused:
        document_attach(actor=None, item=item, upload=_Huge())
    assert "20 MB" in refused.value.message
    assert _stored(media) == []


def test_only_the_host_side_attaches_documents(item, operators, bob):
    host_only = gettext("Only the host of the conference may do this.")
    for user in (operators["sapa"], bob):
        with refused(PermissionDenied, host_only):
            document_attach(actor=user, item=item, upload=SimpleUploadedFile("x.pdf", pdf_bytes()))


def test_the_stored_file_name_is_not_the_users_name(item, conference):
    sent = unicodedata.normalize("NFD", "C:\\Users\\vt\\..\\Kế hoạch tuyên truyền.pdf")
    document = document_attach(actor=None, item=item, upload=SimpleUploadedFile(sent, pdf_bytes()))
    assert document.original_name == "Kế hoạch tuyên truyền.pdf"
    assert unicodedata.is_normalized("NFC", document.original_name)
    assert re.fullmatch(rf"conference-documents/{conference.pk}/[0-9a-f]{{32}}", document.file.name)


# Downloading ---------------------------------------------------------------------------


@pytest.fixture
def document(item):
    upload = SimpleUploadedFile("Báo cáo 9 tháng.pdf", pdf_bytes())
    return document_attach(actor=None, item=item, upload=upload)


def _download(client, document):
    return client.get(reverse("meetings_files:document_download", args=[document.pk]))


def test_participants_download_the_document_under_its_own_name(
    client, document, operators, alice, bob
):
    for user in (operators["host"], operators["sapa"], alice, bob):
        client.force_login(user)
        response = _download(client, document)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Bao cao 9 thang.pdf"')
    assert "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%209%20th%C3%A1ng.pdf" in disposition


def test_others_get_404_for_a_document(client, document, eve):
    client.force_login(eve)
    assert _download(client, document).status_code == 404
    missing = reverse("meetings_files:document_download", args=[document.pk + 1])
    assert client.get(missing).status_code == 404


def test_anonymous_users_are_sent_to_login_for_a_document(client, document):
    assert _download(client, document).status_code == 302


# The attendance record -----------------------------------------------------------------


@pytest.fixture
def roll_called(live_conference, points, tree, operators):
    sapa, batxat = points["088"], points["082"]
    presence.console_connected(point_id=sapa.pk, channel="sapa-1")
    toan = services.delegate_invite(actor=None, point=sapa, person=tree["toan"])
    services.rollcall_mark(actor=operators["sapa"], delegate=toan, attendance="present")
    trick = services.delegate_add_guest(
        actor=None,
        point=batxat,
        full_name='=HYPERLINK("http://x.example","Bấm") Lò',
        designation="=1+2",
    )
    services.rollcall_mark(
        actor=operators["batxat"], delegate=trick, attendance="absent", reason="@SUM(A1:A9)"
    )
    binh = services.delegate_invite(actor=None, point=batxat, person=tree["batxat_person"])
    services.rollcall_mark(
        actor=None, delegate=binh, attendance="represented", represented_by="+Vàng A Sử"
    )
    toan.refresh_from_db()
    return {"toan": toan, "trick": trick, "binh": binh}


def _rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def test_the_attendance_workbook_proves_who_was_there(live_conference, roll_called):
    wb = load_workbook(io.BytesIO(attendance_workbook(live_conference)))
    assert wb.sheetnames == ["Điểm danh", "Nhật ký"]
    roll = _rows(wb["Điểm danh"])
    flat = [value for row in roll for value in row if value is not None]
    assert "Giao ban công tác dân vận 9 tháng năm 2021" in flat
    assert "14:00–17:00 ngày 08/10/2021" in flat and "Ban Dân vận Tỉnh ủy Lào Cai" in flat
    toan = roll_called["toan"]
    [present] = [row for row in roll if row[1] == "Phan Đăng Toàn"]
    assert present[2:4] == ("Phan Đăng Toàn - Tỉnh ủy viên, Bí thư Thị ủy", "Có mặt")
    local = timezone.localtime(toan.checked_in_at, VN).replace(tzinfo=None, microsecond=0)
    assert present[4] == local
    [represented] = [row for row in roll if row[1] == "Nguyễn Văn Bình"]
    assert represented[3] == "Có người dự thay (+Vàng A Sử)"
    totals = {row[1]: row[2:7] for row in roll if row[1] in ("Điểm cầu thị xã Sa Pa", "Tổng cộng")}
    assert totals["Điểm cầu thị xã Sa Pa"] == (1, 1, 0, 0, 0)
    assert totals["Tổng cộng"] == (3, 1, 1, 1, 0)

    log = _rows(wb["Nhật ký"])
    assert log[0] == ("Thời gian", "Điểm cầu", "Sự kiện", "Đại biểu", "Người ghi nhận", "Ghi chú")
    events = [row[1:5] for row in log[1:]]
    assert events[:2] == [
        ("Điểm cầu thị xã Sa Pa", "Điểm cầu kết nối", None, "Hệ thống"),
        ("Điểm cầu thị xã Sa Pa", "Đại biểu có mặt", "Phan Đăng Toàn", "op_sapa"),
    ]
    assert isinstance(log[1][0], datetime) and len(log) == 5


def test_text_typed_by_users_never_becomes_a_formula(live_conference, roll_called):
    wb = load_workbook(io.BytesIO(attendance_workbook(live_conference)))
    cells = [cell for ws in wb for row in ws.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    texts = {cell.value for cell in cells if isinstance(cell.value, str)}
    assert '\'=HYPERLINK("http://x.example","Bấm") Lò' in texts
    assert "'=1+2" in texts and "Vắng (@SUM(A1:A9))" in texts and "'@SUM(A1:A9)" in texts


def test_participants_download_the_attendance_workbook_and_others_get_404(
    client, live_conference, roll_called, operators, bob, eve
):
    url = reverse("meetings_files:attendance_xlsx", args=[live_conference.pk])
    for user in (operators["host"], operators["batxat"], bob):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == XLSX
        assert "diem-danh-hoi-nghi-" in response["Content-Disposition"]
        load_workbook(io.BytesIO(response.content))
    client.force_login(eve)
    assert client.get(url).status_code == 404
