"""Forms of the publishing pages: they read what was typed; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from giaoban.meetings.models import ConferenceKind
from giaoban.publishing.services import MAX_TEXT_CHARS

_BAD_DATE = _("Write the date as dd/mm/yyyy, e.g. 08/10/2021.")
_BAD_TIME = _("Write the time as HH:MM, e.g. 14:00.")


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Headline"), max_length=300)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 24}),
        help_text=_("One paragraph per line. Text in [brackets] is for the editor to complete."),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)


class ReadForm(forms.Form):
    text = forms.CharField(
        label=_("Paste the article or report"),
        required=False,
        max_length=MAX_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 14}),
    )
    file = forms.FileField(
        label=_("or upload a file (.docx, .txt)"), required=False, allow_empty_file=True
    )

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and not data.get("file"):
            raise forms.ValidationError(_("The text is empty: paste an article or upload a file."))
        return data


class _Labelled(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return getattr(obj, "designation_label", None) or str(obj)


class ReviewForm(forms.Form):
    title = forms.CharField(label=_("Conference title"), max_length=300)
    organizer = _Labelled(label=_("Organizer"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=ConferenceKind.choices)
    day = forms.DateField(
        label=_("Date"),
        input_formats=["%d/%m/%Y"],
        error_messages={"invalid": _BAD_DATE, "required": _BAD_DATE},
    )
    start = forms.TimeField(
        label=_("Start"),
        input_formats=["%H:%M"],
        error_messages={"invalid": _BAD_TIME, "required": _BAD_TIME},
    )
    end = forms.TimeField(
        label=_("End"),
        input_formats=["%H:%M"],
        error_messages={"invalid": _BAD_TIME, "required": _BAD_TIME},
    )

    def __init__(self, *args, organizers, people: list[tuple[dict, list]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = organizers
        for index, (person, candidates) in enumerate(people):
            choices = [("", _("Not in the registry: add as a guest with the positions as written"))]
            choices += [(str(c.pk), c.designation_label) for c in candidates]
            self.fields[f"person_{index}"] = forms.ChoiceField(
                label=person["name"], choices=choices, required=False
            )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The end is before the start."))
        return data

    def person_fields(self):
        return [self[name] for name in self.fields if name.startswith("person_")]
