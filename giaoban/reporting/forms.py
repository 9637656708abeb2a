"""Forms of the reporting pages: they read what was typed; services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from giaoban.core.limits import max_length
from giaoban.reporting.models import NARRATIVE_MAX_LENGTH, Report, SectionKind, ValueType


class ReportEntryForm(forms.Form):
    """One field per indicator of the report's version (typed as text: "2.255", "1.234,5"),
    one per narrative section, and the revision the user opened."""

    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, report, indicators, values, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            self.fields[f"v_{indicator.code}"] = self._field(indicator, values.get(indicator.code))
        for section in report.version.sections.filter(kind=SectionKind.NARRATIVE):
            self.fields[f"n_{section.key}"] = forms.CharField(
                label=section.title,
                required=False,
                max_length=NARRATIVE_MAX_LENGTH,
                initial=report.narrative.get(section.key, ""),
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        self.fields["revision"].initial = report.revision

    @staticmethod
    def _field(indicator, value):
        from giaoban.reporting.numbers import format_number, indicator_bounds

        if indicator.value_type == ValueType.BOOLEAN:
            initial = {True: "có", False: "không"}.get(value, "")
            choices = [("", "—"), ("có", _("yes")), ("không", _("no"))]
            return forms.ChoiceField(
                label=indicator.name, choices=choices, required=False, initial=initial
            )
        initial = value if indicator.value_type == ValueType.TEXT else format_number(value)
        attrs, hint = {}, indicator.unit_of_measure
        if indicator.is_numeric:
            low, high = indicator_bounds(indicator)
            # The input is text ("2.255" is Vietnamese for 2255), so the browser cannot check
            # min/max itself: the bounds are stated beside it and kept for scripts.
            attrs = {"inputmode": "decimal", "autocomplete": "off"}
            attrs |= {"data-min": format(low, "f"), "data-max": format(high, "f")}
            bounds = _("from %(min)s to %(max)s") % {
                "min": format_number(low),
                "max": format_number(high),
            }
            hint = f"{hint}\n{bounds}" if hint else bounds  # on a line of its own
        return forms.CharField(
            label=indicator.name,
            required=False,
            initial=initial or "",
            max_length=2000,
            help_text=hint,
            widget=forms.TextInput(attrs=attrs),
        )

    def values(self) -> dict[str, str]:
        return {i.code: self.cleaned_data.get(f"v_{i.code}", "") for i in self.indicators}

    def narrative(self) -> dict[str, str]:
        prefix = "n_"
        return {
            name[len(prefix) :]: value
            for name, value in self.cleaned_data.items()
            if name.startswith(prefix)
        }


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for return"),
        max_length=max_length(Report, "return_reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Filled template (.xlsx)"))
