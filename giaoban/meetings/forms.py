"""Forms of the conference pages: they read what was typed; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from giaoban.meetings.models import ConferenceKind, ItemKind

#: Officials type dates the way they write them: 08/10/2021 14:00.
DATETIME_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S"]
_BAD_DATETIME = _("Write the date and time as dd/mm/yyyy HH:MM, e.g. 08/10/2021 14:00.")


class _Labelled(forms.ModelChoiceField):
    """A choice among model rows, labelled by a function (a unit with its code, a person with
    their titles on the conference's day)."""

    def __init__(self, *args, label_of=str, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_of = label_of

    def label_from_instance(self, obj):
        return self.label_of(obj)


def _datetime_field(label):
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        error_messages={"invalid": _BAD_DATETIME, "required": _BAD_DATETIME},
        help_text=_("dd/mm/yyyy HH:MM"),
        widget=forms.TextInput(
            attrs={"placeholder": "08/10/2021 14:00", "autocomplete": "off", "inputmode": "numeric"}
        ),
    )


class ConferenceForm(forms.Form):
    title = forms.CharField(label=_("Conference title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=ConferenceKind.choices)
    organizer = _Labelled(label=_("Organizer"), queryset=None)
    scheduled_start = _datetime_field(_("Scheduled start"))
    scheduled_end = _datetime_field(_("Scheduled end"))
    report_form = _Labelled(label=_("Report form reviewed"), queryset=None, required=False)
    period = _Labelled(label=_("Period reviewed"), queryset=None, required=False)
    chair = _Labelled(label=_("Chair"), queryset=None, required=False)
    secretary = _Labelled(
        label=pgettext_lazy("minutes writer", "Secretary (from the registry)"),
        queryset=None,
        required=False,
    )
    secretary_name = forms.CharField(
        label=pgettext_lazy("minutes writer", "Secretary's name"),
        max_length=120,
        required=False,
        help_text=_("Who writes the minutes and signs them beside the chair, if not in the list."),
    )
    series = forms.CharField(
        label=_("Series"),
        max_length=100,
        required=False,
        help_text=_("Conferences of one series follow up each other's tasks."),
    )

    def __init__(self, *args, organizers, report_forms, periods, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = organizers
        self.fields["organizer"].label_of = lambda org: f"{org.name} ({org.unit.name})"
        self.fields["report_form"].queryset = report_forms
        self.fields["period"].queryset = periods
        self.fields["period"].label_of = lambda p: f"{p} ({p.start:%d/%m/%Y} – {p.end:%d/%m/%Y})"
        self.fields["chair"].queryset = people
        self.fields["chair"].label_of = lambda person: person.designation()
        self.fields["secretary"].queryset = people
        self.fields["secretary"].label_of = lambda person: person.designation()

    def clean(self):
        data = super().clean()
        start, end = data.get("scheduled_start"), data.get("scheduled_end")
        if start and end and end <= start:
            self.add_error("scheduled_end", _("The end is before the start."))
        return data


class ConferenceEditForm(ConferenceForm):
    """The particulars of an existing conference; its organizer stays (it decides who sees it).
    `revision` is the one the page was opened at (optimistic locking)."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, organizers=None, **kwargs)
        del self.fields["organizer"]


class _OnePage(forms.Form):
    """Several of these forms share the detail page: each gets its own id prefix."""

    id_prefix = "id"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class PointForm(_OnePage):
    id_prefix = "point"

    unit = _Labelled(label=_("Unit"), queryset=None, label_of=lambda u: f"{u.name} ({u.code})")
    name = forms.CharField(label=_("Name of the bridge point"), max_length=200)
    location = forms.CharField(label=_("Room / location"), max_length=300, required=False)
    operator = _Labelled(label=_("Operator"), queryset=None, required=False)
    is_host = forms.BooleanField(label=_("This is the host point"), required=False)

    def __init__(self, *args, units, operators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["operator"].queryset = operators
        self.fields["operator"].label_of = _user_label


class PointEditForm(forms.Form):
    """A point's name, room and operator; its unit and role stay (remove and add it instead)."""

    name = forms.CharField(label=_("Name of the bridge point"), max_length=200)
    location = forms.CharField(label=_("Room / location"), max_length=300, required=False)
    operator = _Labelled(label=_("Operator"), queryset=None, required=False)
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, operators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].queryset = operators
        self.fields["operator"].label_of = _user_label


def _user_label(user) -> str:
    name = user.get_full_name() or user.username
    membership = getattr(user, "membership", None)
    where = f" — {membership.organization.name}" if membership else ""
    return f"{name} ({user.username}){where}"


class InviteForm(_OnePage):
    """Invite a registered person at a point; `q` keeps the search that found them."""

    id_prefix = "invite"
    point = _Labelled(label=_("Bridge point"), queryset=None)
    person = _Labelled(label=_("Person"), queryset=None)
    q = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, points, people, day, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = points
        self.fields["person"].queryset = people
        self.fields["person"].label_of = lambda person: person.designation(day)


class GuestForm(_OnePage):
    id_prefix = "guest"

    point = _Labelled(label=_("Bridge point"), queryset=None)
    full_name = forms.CharField(label=_("Full name"), max_length=120)
    designation = forms.CharField(
        label=_("Designation"),
        max_length=500,
        required=False,
        help_text=_("As it is read out, e.g. “Lê Văn Khách - Phóng viên Báo Lào Cai”."),
    )

    def __init__(self, *args, points, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = points


class AgendaItemForm(_OnePage):
    id_prefix = "agenda"

    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices)
    title = forms.CharField(label=_("Item title"), max_length=300)
    presenter = forms.CharField(label=_("Presenter"), max_length=300, required=False)
    # The allowed range is the service's rule; the form only reads a whole number.
    planned_minutes = forms.IntegerField(
        label=_("Planned minutes"),
        initial=10,
        error_messages={"invalid": _("Write the planned minutes as a whole number.")},
    )


class AgendaItemEditForm(AgendaItemForm):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ConclusionForm(_OnePage):
    id_prefix = "conclusion"

    text = forms.CharField(
        label=_("Conclusion"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


#: How many positions the invitation page offers to pick (the service takes up to ten).
PICK_ROWS = 4


class InviteLevelForm(forms.Form):
    """Every unit at a level under a unit as a bridge point, with the holders of the positions
    picked (a kind of organization and the start of a title; no title: its head)."""

    parent = _Labelled(
        label=_("Under the unit"),
        queryset=None,
        required=False,
        empty_label=_("Every unit I see (a national briefing)"),
        label_of=lambda u: f"{u.name} ({u.code})",
    )
    level = forms.TypedChoiceField(label=_("Every unit at the level"), coerce=int, choices=())

    def __init__(self, *args, parents, levels, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents
        self.fields["level"].choices = levels
        for i in range(1, PICK_ROWS + 1):
            self.fields[f"kind_{i}"] = forms.ChoiceField(
                label=_("Delegates: organization %(n)d") % {"n": i},
                choices=[("", "—"), *kinds],
                required=False,
            )
            self.fields[f"title_{i}"] = forms.CharField(
                label=_("Position %(n)d (beginning of the title)") % {"n": i},
                max_length=100,
                required=False,
                help_text=_("Leave empty to invite the head of the organization."),
            )

    def picks(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        return [
            (data[f"kind_{i}"], data[f"title_{i}"])
            for i in range(1, PICK_ROWS + 1)
            if data.get(f"kind_{i}")
        ]


class CopyPointsForm(forms.Form):
    """Start from another conference's bridge points and delegates."""

    source = _Labelled(
        label=_("Copy the bridge points and delegates of"),
        queryset=None,
        label_of=lambda c: f"{c.title} ({c.scheduled_start:%d/%m/%Y})",
    )

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources
