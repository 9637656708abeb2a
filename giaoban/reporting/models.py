"""Indicators, report forms (versioned), periods, reports with their values, and the rollup that
keeps consolidation live."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from giaoban.orgs.models import Organization, OrgKind, Unit


class ValueType(models.TextChoices):
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Decimal number")
    BOOLEAN = "boolean", _("Yes/no")
    TEXT = "text", _("Text")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum")
    AVERAGE = "avg", _("Average")
    MINIMUM = "min", _("Minimum")
    MAXIMUM = "max", _("Maximum")
    COUNT_YES = "count_yes", _("Count of “yes”")
    NONE = "none", _("Not consolidated")


class Indicator(models.Model):
    """A figure that reports carry: "số trường hợp tảo hôn", counted in "trường hợp"."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=40, blank=True)
    value_type = models.CharField(_("value type"), max_length=10, choices=ValueType.choices)
    aggregation = models.CharField(_("consolidation"), max_length=10, choices=Aggregation.choices)
    minimum = models.DecimalField(
        _("lower bound"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    maximum = models.DecimalField(
        _("upper bound"), max_digits=20, decimal_places=4, null=True, blank=True
    )

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.unit_of_measure})" if self.unit_of_measure else self.name

    @property
    def is_numeric(self) -> bool:
        return self.value_type in (ValueType.INTEGER, ValueType.DECIMAL)


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    HALF_YEAR = "half", _("6 months")
    NINE_MONTHS = "nine", _("9 months")
    YEAR = "year", _("Year")


class ReportForm(models.Model):
    """A report form (biểu mẫu) by its code; what it asks lives in its versions."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=300)

    class Meta:
        verbose_name = _("report form")
        verbose_name_plural = _("report forms")
        ordering = ["code"]

    def __str__(self):
        return self.name


class FormVersion(models.Model):
    """One version of a form. Once published it never changes: reports point at their version."""

    form = models.ForeignKey(ReportForm, related_name="versions", on_delete=models.CASCADE)
    number = models.PositiveSmallIntegerField(_("version"))
    period_kind = models.CharField(_("periodicity"), max_length=10, choices=PeriodKind.choices)
    reporting_kind = models.CharField(
        _("reporting organizations"),
        max_length=30,
        choices=OrgKind.choices,
        help_text=_("Organizations of this kind report on the form."),
    )
    reporting_levels = models.JSONField(
        _("reporting levels"), default=list, help_text=_("Unit levels whose organizations report.")
    )
    deadline_days = models.PositiveSmallIntegerField(
        _("deadline (days after the period ends)"), default=5
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")
        ordering = ["form", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="reporting_version_unique")
        ]

    def __str__(self):
        return f"{self.form.code} v{self.number}"


class SectionKind(models.TextChoices):
    INDICATORS = "indicators", _("Indicators")
    NARRATIVE = "narrative", _("Narrative")


class FormSection(models.Model):
    version = models.ForeignKey(FormVersion, related_name="sections", on_delete=models.CASCADE)
    order = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=12, choices=SectionKind.choices)
    key = models.SlugField(max_length=60, help_text=_("For narrative sections: the field name."))
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=300)
    indicators = models.ManyToManyField(Indicator, through="FormItem", blank=True)

    class Meta:
        verbose_name = _("form section")
        verbose_name_plural = _("form sections")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="reporting_section_key_unique")
        ]

    def __str__(self):
        return self.title


class FormItem(models.Model):
    section = models.ForeignKey(FormSection, related_name="items", on_delete=models.CASCADE)
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT)
    order = models.PositiveSmallIntegerField()
    required = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("form item")
        verbose_name_plural = _("form items")
        ordering = ["section", "order"]

    def __str__(self):
        return f"{self.section} · {self.indicator.code}"


class ValidationRule(models.Model):
    """A rule between indicators, e.g. `dialogues_resolved <= dialogues_held`."""

    version = models.ForeignKey(FormVersion, related_name="rules", on_delete=models.CASCADE)
    expression = models.CharField(_("expression"), max_length=500)
    message = models.CharField(_("message"), max_length=500)
    message_en = models.CharField(_("English message"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")
        ordering = ["version", "id"]

    def __str__(self):
        return self.expression


class Period(models.Model):
    """A reporting period with its cut-off dates, e.g. 9 months of 2021 = 15/12/2020–14/09/2021."""

    kind = models.CharField(_("kind"), max_length=10, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("number"), default=1)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["-end", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "number", "start"], name="reporting_period_unique"
            ),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="reporting_period_range"
            ),
        ]

    def __str__(self):
        from giaoban.reporting.periods import period_label

        return period_label(self)


class Deadline(models.Model):
    """A deadline set for one form and period, overriding the form's default."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE)
    period = models.ForeignKey(Period, on_delete=models.CASCADE)
    deadline = models.DateField(_("deadline"))

    class Meta:
        verbose_name = _("reporting deadline")
        verbose_name_plural = _("reporting deadlines")
        constraints = [
            models.UniqueConstraint(fields=["form", "period"], name="reporting_deadline_unique")
        ]

    def __str__(self):
        return f"{self.form.code} · {self.period}: {self.deadline:%d/%m/%Y}"


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


#: A report can be edited (and submitted) while it is a draft or was sent back.
EDITABLE = (Status.DRAFT, Status.RETURNED)


#: The longest text of one narrative section (about seven pages): the entry form, the API and the
#: save service refuse more, naming the section. The narrative is JSON, so no column holds it.
NARRATIVE_MAX_LENGTH = 20_000


class Report(models.Model):
    """One organization's report on a form for a period."""

    organization = models.ForeignKey(Organization, related_name="reports", on_delete=models.PROTECT)
    form = models.ForeignKey(ReportForm, related_name="reports", on_delete=models.PROTECT)
    version = models.ForeignKey(FormVersion, related_name="reports", on_delete=models.PROTECT)
    period = models.ForeignKey(Period, related_name="reports", on_delete=models.PROTECT)
    # Denormalized from the organization: consolidation filters reports by the unit's path.
    unit = models.ForeignKey(Unit, related_name="reports", on_delete=models.PROTECT)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    narrative = models.JSONField(_("narrative"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.SET_NULL
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    return_reason = models.CharField(_("reason for return"), max_length=1000, blank=True)
    revision = models.PositiveIntegerField(default=1, editable=False)
    is_illustrative = models.BooleanField(_("illustrative"), default=False)

    class Meta:
        verbose_name = pgettext_lazy("document", "report")
        verbose_name_plural = _("reports")
        ordering = ["-period__end", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "form", "period"], name="reporting_report_unique"
            )
        ]
        indexes = [models.Index(fields=["form", "period", "status"], name="reporting_report_fps")]

    def __str__(self):
        return f"{self.form.code} · {self.period} · {self.organization}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE


class ReportValue(models.Model):
    report = models.ForeignKey(Report, related_name="values", on_delete=models.CASCADE)
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT)
    number = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    flag = models.BooleanField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("report value")
        verbose_name_plural = _("report values")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="reporting_value_unique")
        ]

    def __str__(self):
        return f"{self.indicator.code}={self.display()}"

    def display(self):
        if self.indicator.value_type == ValueType.BOOLEAN:
            return self.flag
        if self.indicator.value_type == ValueType.TEXT:
            return self.text
        return self.number


class Rollup(models.Model):
    """Running totals of approved values per unit (and each ancestor), period and indicator.

    Approval adds a report's values to its unit and every unit above it in the same transaction,
    so a consolidated read is a lookup, live after the approval commits. Approved reports are
    locked, so totals only ever grow: sum, count, minimum and maximum stay exact.
    """

    # No index per key: the unique (unit, form, period, indicator) index serves every read, and
    # each extra index would be written at every approval.
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, db_index=False)
    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, db_index=False)
    period = models.ForeignKey(Period, on_delete=models.CASCADE, db_index=False)
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, db_index=False)
    total = models.DecimalField(max_digits=24, decimal_places=4, default=0)
    count = models.PositiveIntegerField(default=0)
    yes_count = models.PositiveIntegerField(default=0)
    minimum = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    maximum = models.DecimalField(max_digits=20, decimal_places=4, null=True)

    class Meta:
        verbose_name = _("consolidated value")
        verbose_name_plural = _("consolidated values")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "form", "period", "indicator"], name="reporting_rollup_unique"
            )
        ]

    def __str__(self):
        return f"{self.unit} · {self.period} · {self.indicator.code}"
