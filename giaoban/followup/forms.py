"""Forms of the task pages: they read what was typed; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from giaoban.followup.models import AssigneeRole, Priority, Status

#: Officials write dates as 31/12/2021.
DATE_FORMATS = ["%d/%m/%Y"]
_BAD_DATE = _("Write the date as dd/mm/yyyy, e.g. 31/12/2021.")


def _date_field(label, *, required=True):
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        error_messages={"invalid": _BAD_DATE, "required": _BAD_DATE},
        help_text=_("dd/mm/yyyy"),
        widget=forms.TextInput(
            attrs={"placeholder": "31/12/2021", "autocomplete": "off", "inputmode": "numeric"}
        ),
    )


class _Labelled(forms.ModelChoiceField):
    def __init__(self, *args, label_of=str, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_of = label_of

    def label_from_instance(self, obj):
        return self.label_of(obj)


class _LabelledMany(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.unit.name})"


def _conclusion_label(conclusion) -> str:
    text = conclusion.text if len(conclusion.text) <= 90 else f"{conclusion.text[:89]}…"
    return f"{conclusion.conference.title} — {conclusion.order}. {text}"


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=300)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    assigner = _Labelled(
        label=_("Assigned by"), queryset=None, label_of=lambda o: f"{o.name} ({o.unit.name})"
    )
    deadline = _date_field(_("Deadline"))
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )
    source_conference = _Labelled(label=_("From the conference"), queryset=None, required=False)
    source_conclusion = _Labelled(
        label=_("From its conclusion"),
        queryset=None,
        required=False,
        label_of=_conclusion_label,
    )
    source_document_number = forms.CharField(
        label=_("Or from the document number"),
        max_length=100,
        required=False,
        help_text=_("As written on the document, e.g. “15-CT/TU”."),
    )
    source_document_date = _date_field(_("Document date"), required=False)
    leads = _LabelledMany(
        label=_("Lead organizations"),
        queryset=None,
        required=False,
        help_text=_("Each one is tracked separately, e.g. all nine district-level boards."),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    coordinating = _LabelledMany(
        label=_("Coordinating organizations"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args, assigners, conferences, conclusions, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigner"].queryset = assigners
        self.fields["source_conference"].queryset = conferences
        self.fields["source_conclusion"].queryset = conclusions
        self.fields["leads"].queryset = organizations
        self.fields["coordinating"].queryset = organizations


class ProgressForm(forms.Form):
    """The assignee's report. "Done" is a report: the assigner's acceptance closes it."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (Status.IN_PROGRESS, Status.IN_PROGRESS.label),
            (Status.REPORTED_DONE, _("Done (for the assigner to accept)")),
            (Status.CANNOT_DO, Status.CANNOT_DO.label),
        ],
    )
    text = forms.CharField(
        label=_("Progress"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(
        label=_("Reason, if it cannot be done"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        help_text=_("PDF, Word (.docx) or Excel (.xlsx), at most 20 MB."),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is sent back"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)


class AssignForm(forms.Form):
    organizations = _LabelledMany(
        label=_("Give it also to"),
        queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    role = forms.ChoiceField(label=_("As"), choices=AssigneeRole.choices)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = organizations
