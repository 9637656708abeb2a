"""The register's forms: a draft's content as text an officer edits, and the issue form.

A body is edited as plain text: parts separated by an empty line; a part starting with "# " is a
section heading; a part whose lines all start with "|" is a table, one row per line, cells
between "|". The same text comes back as the same parts.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from giaoban.documents.models import DocumentKind


def blocks_to_text(blocks: list[dict]) -> str:
    parts = []
    for block in blocks:
        if block.get("kind") == "heading":
            parts.append("# " + block.get("text", ""))
        elif block.get("kind") == "table":
            parts.append("\n".join("| " + " | ".join(row) + " |" for row in block.get("rows", [])))
        else:
            parts.append(block.get("text", ""))
    return "\n\n".join(parts)


def _table_rows(lines: list[str]) -> list[list[str]]:
    return [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines]


def text_to_blocks(text: str) -> list[dict]:
    blocks = []
    for part in text.replace("\r\n", "\n").split("\n\n"):
        part = part.strip("\n")
        if not part.strip():
            continue
        lines = part.split("\n")
        if all(line.strip().startswith("|") for line in lines):
            blocks.append({"kind": "table", "text": "", "rows": _table_rows(lines)})
        elif part.startswith("# "):
            blocks.append({"kind": "heading", "text": part[2:].strip(), "rows": []})
        else:
            blocks.append({"kind": "paragraph", "text": part, "rows": []})
    return blocks


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


class ContentForm(forms.Form):
    """A draft's content; `revision` is the number the page was opened with."""

    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    title = forms.CharField(
        label=pgettext_lazy("document kind", "Title"),
        required=False,
        max_length=100,
        help_text=_("e.g. THÔNG BÁO"),
    )
    summary = forms.CharField(label=_("Summary (trích yếu)"), max_length=500)
    body = forms.CharField(
        label=_("Body"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "Parts separated by an empty line; “# ” starts a section heading; table rows start "
            "with “|”."
        ),
    )
    appendix_title = forms.CharField(label=_("Appendix title"), required=False, max_length=300)
    appendix = forms.CharField(
        label=_("Appendix"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    recipient_lines = forms.CharField(
        label=_("Other recipients, one a line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "e.g. “Thường trực Tỉnh ủy (b/c)”; the office's “Lưu …” line is added when missing."
        ),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def content(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "title": data["title"],
            "summary": data["summary"],
            "body": text_to_blocks(data["body"]),
            "appendix": text_to_blocks(data["appendix"]),
            "appendix_title": data["appendix_title"],
            "recipient_lines": lines_of(data["recipient_lines"]),
        }

    @classmethod
    def initial_of(cls, doc) -> dict:
        return {
            "kind": doc.kind,
            "title": doc.title,
            "summary": doc.summary,
            "body": blocks_to_text(doc.body),
            "appendix": blocks_to_text(doc.appendix),
            "appendix_title": doc.appendix_title,
            "recipient_lines": "\n".join(doc.recipient_lines),
            "revision": doc.revision,
        }


class IssueForm(forms.Form):
    """Who signs (people holding a position in the organization today) and who receives it."""

    signer = forms.ModelChoiceField(label=_("Signer"), queryset=None, required=False)
    recipients = forms.ModelMultipleChoiceField(
        label=_("Recipient organizations"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    recipient_lines = forms.CharField(
        label=_("Other recipients, one a line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, signers, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signer"].queryset = signers
        self.fields["signer"].label_from_instance = lambda person: person.designation()
        self.fields["recipients"].queryset = organizations
