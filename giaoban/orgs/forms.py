"""Forms of the registry pages: they validate input and nothing else."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from giaoban.orgs.models import Organization, OrgKind, Unit


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


class PersonForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=120)
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()

    def clean_full_name(self):
        name = self.cleaned_data["full_name"].strip()
        if len(name.split()) < 2:
            raise forms.ValidationError(_("Write the full name: family name and given name."))
        return name


class PositionForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none()
    )
    title = forms.CharField(
        label=pgettext_lazy("position", "Title"),
        max_length=200,
        help_text=_("As written after the name, e.g. “Bí thư Thị ủy”."),
    )
    protocol_rank = forms.IntegerField(
        label=_("Protocol rank"),
        min_value=0,
        max_value=10000,
        initial=100,
        help_text=_("Lower comes first in protocol order."),
    )
    start_date = forms.DateField(label=_("Start date"), required=False)
    end_date = forms.DateField(label=_("End date"), required=False)

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organizations is not None:
            self.fields["organization"].queryset = organizations

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date is before the start date."))
        return data


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrgKind.choices)
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    parent = forms.ModelChoiceField(
        label=_("Superior organization"), queryset=Organization.objects.none(), required=False
    )
    valid_from = forms.DateField(label=_("Valid from"), required=False)
    valid_to = forms.DateField(label=_("Valid to"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, units=None, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units
        if parents is not None:
            self.fields["parent"].queryset = parents

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("The end date is before the start date."))
        return data


class PositionEndForm(forms.Form):
    end_date = forms.DateField(label=_("End date"))
