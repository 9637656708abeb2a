"""The issuing organization's style and its register of outgoing documents (sổ đăng ký văn bản đi).

How a register counts its numbers depends on the issuing system (see docs/documents-register.md):

* Party bodies (a Ban Dân vận, a party committee): "ghi liên tục từ số 01 cho mỗi tên loại văn
  bản trong một nhiệm kỳ cấp uỷ" — one series per kind of document per term of office of the
  committee, the term running from the day after its congress closes to the closing day of the
  next (Hướng dẫn 36-HD/VPTW, 03/4/2018, Mục II, khoản 1, điểm 1.3.1.a). Hướng dẫn 05-HD/VPTW
  (27/5/2026), which replaced it, could not be read in any public copy: the same rule is assumed.
* State bodies: one series for the year, "bắt đầu liên tiếp từ số 01 vào ngày 01 tháng 01 và kết
  thúc vào ngày 31 tháng 12 hằng năm", a number and symbol being unique in a year (Nghị định
  30/2020/NĐ-CP, Điều 15, khoản 1).
* The Front and the unions: counted by year like the state (the administrator changes it in the
  admin where their own guidance says otherwise).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from giaoban.documents.paper import Block, Issuer, Paper, Signature, System

__all__ = [
    "KIND_TITLES",
    "Document",
    "DocumentKind",
    "DocumentStatus",
    "IssuerStyle",
    "Numbering",
    "PdfState",
    "RegisterCounter",
    "Source",
    "SystemChoice",
    "Term",
    "blocks_from_json",
    "blocks_to_json",
]


class SystemChoice(models.TextChoices):
    PARTY = System.PARTY, _("Party (36-HD/VPTW, 05-HD/VPTW)")
    STATE = System.STATE, _("State (Decree 30/2020/NĐ-CP)")
    FRONT = System.FRONT, _("Fatherland Front")
    YOUTH = System.YOUTH, _("Youth Union")


class Numbering(models.TextChoices):
    TERM = "term", _("by term of office, each kind of document its own series")
    YEAR = "year", _("by calendar year, one series for every kind")


class DocumentKind(models.TextChoices):
    BC = "BC", pgettext_lazy("document kind", "Report")
    TB = "TB", _("Notice")
    BB = "BB", pgettext_lazy("document", "Minutes")
    KH = "KH", _("Plan")
    CV = "CV", _("Official letter")
    HD = "HD", _("Guidance")


#: The title printed above the summary; a công văn has none (its summary follows the number).
KIND_TITLES = {
    "BC": "BÁO CÁO",
    "TB": "THÔNG BÁO",
    "BB": "BIÊN BẢN",
    "KH": "KẾ HOẠCH",
    "CV": "",
    "HD": "HƯỚNG DẪN",
}


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


class PdfState(models.TextChoices):
    """The values the PDF task (`documents.tasks`) writes: the same as its own `PdfState`."""

    NONE = "", _("Not asked for")
    WAITING = "waiting", _("Being made, or waiting to be made again")
    READY = "ready", _("Made and signed")
    FAILED = "failed", _("Could not be made")


class Source(models.TextChoices):
    WRITTEN = "", _("Written by hand")
    MINUTES = "minutes", _("A conference's minutes")
    CONCLUSION_NOTICE = "conclusion_notice", _("A conference's conclusion notice")
    CONSOLIDATED_REPORT = "consolidated_report", _("A consolidated report")


class IssuerStyle(models.Model):
    """How one organization's documents are headed and numbered: its system, the lines of its
    issuing-body block, its symbol and the place name of its date line."""

    organization = models.OneToOneField(
        "orgs.Organization",
        verbose_name=_("organization"),
        related_name="document_style",
        on_delete=models.CASCADE,
    )
    system = models.CharField(_("system"), max_length=10, choices=SystemChoice.choices)
    superior = models.CharField(
        _("superior body line"),
        max_length=200,
        blank=True,
        help_text=_("Above the name, e.g. “TỈNH ỦY LÀO CAI”; empty where nothing goes above."),
    )
    name = models.CharField(
        _("issuing body line"), max_length=200, help_text=_("e.g. “BAN DÂN VẬN”.")
    )
    symbol = models.CharField(
        _("symbol"), max_length=40, help_text=_("e.g. BDVTU, UBND, MTTQ-BTT.")
    )
    place = models.CharField(
        _("place name"), max_length=100, help_text=_("For the date line, e.g. “Lào Cai”.")
    )
    numbering = models.CharField(
        _("numbering"), max_length=10, choices=Numbering.choices, default=Numbering.YEAR
    )

    class Meta:
        verbose_name = _("document style")
        verbose_name_plural = _("document styles")

    def __str__(self):
        return f"{self.organization} ({self.get_system_display()})"


class Term(models.Model):
    """A term of office of the committee an organization's register counts by (Party bodies)."""

    style = models.ForeignKey(
        IssuerStyle,
        verbose_name=_("document style"),
        related_name="terms",
        on_delete=models.CASCADE,
    )
    label = models.CharField(_("term"), max_length=20, help_text=_("e.g. “2020-2025”."))
    starts_on = models.DateField(
        _("starts on"), help_text=_("The day after the congress that elected the committee closed.")
    )

    class Meta:
        verbose_name = _("term of office")
        verbose_name_plural = _("terms of office")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["style", "starts_on"], name="documents_term_unique")
        ]

    def __str__(self):
        return self.label


class RegisterCounter(models.Model):
    """The last number given in one series of one organization's register. Issuing locks this row
    (select_for_update), so two officers issuing at once take two numbers one after the other."""

    organization = models.ForeignKey(
        "orgs.Organization", related_name="+", on_delete=models.CASCADE
    )
    series = models.CharField(max_length=20)  # "2021", or a term: "2020-2025"
    sequence = models.CharField(max_length=4, blank=True)  # the kind when counted per kind
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("register counter")
        verbose_name_plural = _("register counters")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "series", "sequence"], name="documents_counter_unique"
            )
        ]

    def __str__(self):
        return f"{self.organization_id} {self.series} {self.sequence}: {self.last}"


def _docx_path(instance, filename):
    # A random name under the organization: the number is shown, never used as a path.
    return f"outgoing/{instance.organization_id}/{uuid.uuid4().hex}.docx"


def _pdf_path(instance, filename):
    return f"outgoing/{instance.organization_id}/{uuid.uuid4().hex}.pdf"


class Document(models.Model):
    """An outgoing document: a draft anyone allowed may edit, then issued with its number, date,
    signer and recipients, after which it never changes (a correction replaces it)."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("issuing organization"),
        related_name="outgoing_documents",
        on_delete=models.PROTECT,
    )
    kind = models.CharField(_("kind"), max_length=4, choices=DocumentKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    title = models.CharField(pgettext_lazy("document kind", "title"), max_length=100, blank=True)
    summary = models.CharField(_("summary"), max_length=500)
    body = models.JSONField(_("body"), default=list, blank=True)
    appendix = models.JSONField(_("appendix"), default=list, blank=True)
    appendix_title = models.CharField(_("appendix title"), max_length=300, blank=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    series = models.CharField(
        pgettext_lazy("register numbering", "series"), max_length=20, blank=True
    )
    sequence = models.CharField(max_length=4, blank=True)
    issued_on = models.DateField(_("date of issue"), null=True, blank=True)
    # The issuing body's block as it was on the day of issue (a later rename changes nothing).
    issuer = models.JSONField(null=True, blank=True, editable=False)
    signer = models.ForeignKey(
        "orgs.Person",
        verbose_name=_("signer"),
        null=True,
        blank=True,
        related_name="signed_documents",
        on_delete=models.PROTECT,
    )
    signer_name = models.CharField(_("signer's name"), max_length=120, blank=True)
    signer_title = models.CharField(_("signer's position"), max_length=120, blank=True)
    signer_authority = models.CharField(_("authority"), max_length=200, blank=True)
    # A second signature where the document has two (the minutes' secretary beside the chair):
    # {"title", "name", "authority"}, as the draft's Paper gave it.
    second_signature = models.JSONField(null=True, blank=True)
    recipients = models.ManyToManyField(
        "orgs.Organization",
        verbose_name=_("recipients"),
        related_name="received_documents",
        blank=True,
    )
    recipient_lines = models.JSONField(
        _("other recipients"), default=list, blank=True, help_text=_("e.g. “Lưu VT”.")
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        related_name="replaced_by",
        on_delete=models.PROTECT,
    )
    source = models.CharField(
        _("source"), max_length=30, choices=Source.choices, default=Source.WRITTEN, blank=True
    )
    source_conference = models.ForeignKey(
        "meetings.Conference",
        verbose_name=_("conference"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    source_unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    source_period = models.ForeignKey(
        "reporting.Period",
        verbose_name=_("period"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    docx = models.FileField(upload_to=_docx_path, blank=True, max_length=200)
    pdf = models.FileField(upload_to=_pdf_path, blank=True, max_length=200)
    pdf_state = models.CharField(
        _("PDF"), max_length=10, choices=PdfState.choices, default=PdfState.NONE, blank=True
    )
    pdf_message = models.CharField(max_length=500, blank=True)
    revision = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing document")
        verbose_name_plural = _("outgoing documents")
        ordering = ["-issued_on", "-number", "-created_at", "-id"]
        constraints = [
            # Never the same number twice in one series (the counter gives them; this is the proof).
            models.UniqueConstraint(
                fields=["organization", "series", "sequence", "number"],
                condition=Q(number__isnull=False),
                name="documents_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(number__isnull=False, issued_on__isnull=False, signer__isnull=False),
                name="documents_issued_complete",
            ),
        ]
        indexes = [models.Index(fields=["organization", "issued_on"], name="documents_register")]

    def __str__(self):
        return f"{self.number_text() or _('draft')} {self.summary}"

    @property
    def is_issued(self) -> bool:
        return self.status == DocumentStatus.ISSUED

    def number_text(self) -> str:
        """ "125-BC/BDVTU" (Party) or "12/BC-UBND" (State and the others), "" for a draft."""
        if self.number is None:
            return ""
        system, symbol = (self.issuer or {}).get("system"), (self.issuer or {}).get("symbol", "")
        if system in (System.PARTY, System.YOUTH):  # 36-HD/VPTW 1.3.1; the Youth Union alike
            return f"{self.number}-{self.kind}/{symbol}" if symbol else f"{self.number}-{self.kind}"
        if self.kind == DocumentKind.CV:  # a state công văn: "12/UBND-VP", no kind abbreviation
            return f"{self.number}/{symbol}" if symbol else str(self.number)
        return f"{self.number}/{self.kind}-{symbol}" if symbol else f"{self.number}/{self.kind}"

    def recipient_texts(self) -> tuple[str, ...]:
        """The "Nơi nhận:" lines: the recipient organizations, then the free lines ("Lưu VT")."""
        names = [o.name for o in self.recipients.all()]
        return tuple(names + [str(line) for line in self.recipient_lines])

    def paper(self) -> Paper:
        """What the document says, for `layout.render`: the issuer as frozen at issue (a draft
        takes its organization's style of today)."""
        if self.issuer:
            issuer = Issuer(**self.issuer)
        else:
            from giaoban.documents.selectors import issuer_for

            issuer = issuer_for(self.organization)
        signature = None
        if self.signer_name:
            signature = Signature(
                title=self.signer_title, name=self.signer_name, authority=self.signer_authority
            )
        extra = {}
        if self.second_signature and "second_signature" in Paper.__dataclass_fields__:
            extra["second_signature"] = Signature(**self.second_signature)
        return Paper(
            **extra,
            issuer=issuer,
            kind=self.kind,
            title=self.title,
            summary=self.summary,
            body=blocks_from_json(self.body),
            number=self.number,
            issued_on=self.issued_on,
            signature=signature,
            recipients=self.recipient_texts(),
            appendix=blocks_from_json(self.appendix),
            appendix_title=self.appendix_title,
        )


def blocks_to_json(blocks) -> list[dict]:
    """A Paper's blocks as stored: [{"kind", "text", "rows"}]."""
    return [{"kind": b.kind, "text": b.text, "rows": [list(row) for row in b.rows]} for b in blocks]


def blocks_from_json(data) -> tuple[Block, ...]:
    return tuple(
        Block(
            kind=item.get("kind", "paragraph"),
            text=item.get("text", ""),
            rows=tuple(tuple(str(cell) for cell in row) for row in item.get("rows", ())),
        )
        for item in data or ()
    )
