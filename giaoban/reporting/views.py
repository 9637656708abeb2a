"""Reporting pages: my reports, data entry, the approval inbox, the consolidated view with its
drill-down and charts, and the Excel and Word files."""

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from giaoban.core.errors import ApplicationError, InvalidInput, PermissionDenied
from giaoban.core.files import download_response
from giaoban.orgs import selectors as org_selectors
from giaoban.orgs.access import membership_of
from giaoban.orgs.models import Unit
from giaoban.reporting import access, charts, selectors, services
from giaoban.reporting.forms import ReportEntryForm, ReturnForm, UploadForm
from giaoban.reporting.models import Period, ReportForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def report_list(request):
    """The user's organization's reports, the forms it can open a report on, and the inbox."""
    membership = membership_of(request.user)
    mine = selectors.reports_visible(user=request.user)
    if membership:
        mine = mine.filter(organization=membership.organization)
    context = {
        "reports": mine.order_by("-period__end")[:100],
        "openable": selectors.openable(user=request.user),
        "inbox_count": len(selectors.inbox(user=request.user)),
    }
    return render(request, "reporting/report_list.html", context)


@require_POST
def report_open(request):
    membership = membership_of(request.user)
    if membership is None:
        raise PermissionDenied(_("Your account belongs to no organization."))
    form = get_object_or_404(ReportForm, code=request.POST.get("form", ""))
    period = get_object_or_404(Period, pk=request.POST.get("period") or 0)
    try:
        report = services.report_open(
            actor=request.user, organization=membership.organization, form=form, period=period
        )
    except PermissionDenied:
        raise  # a refused write answers 403, as on every page
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("reporting:report_list")
    return redirect("reporting:report_detail", pk=report.pk)


def _entry_form(request, report):
    indicators = services.version_indicators(report.version)
    values = services.report_values(report)
    data = request.POST if request.method == "POST" else None
    return ReportEntryForm(data, report=report, indicators=indicators, values=values)


def report_detail(request, pk: int):
    report = selectors.report_get(user=request.user, pk=pk)
    editable = access.can_fill(request.user, report) and report.is_editable
    form = _entry_form(request, report)
    violations = []
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("You may not change this report."))
        if form.is_valid():
            violations = _save(request, report, form)
            if violations is not None and "submit" in request.POST and not form.errors:
                return _submit(request, report)
            if violations is not None and not form.errors:
                return redirect("reporting:report_detail", pk=report.pk)
            violations = violations or []
    return render(
        request,
        "reporting/report_detail.html",
        _detail_context(request, report, form, editable, violations),
    )


def _save(request, report, form):
    try:
        result = services.report_save(
            actor=request.user,
            report=report,
            revision=form.cleaned_data["revision"],
            values=form.values(),
            narrative=form.narrative(),
        )
    except InvalidInput as exc:
        for code, message in exc.errors.items():
            form.add_error(f"v_{code}" if f"v_{code}" in form.fields else None, message)
        return None
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return None
    messages.success(request, _("Saved."))
    for violation in result.violations:
        messages.warning(request, violation)
    return result.violations


def _submit(request, report):
    try:
        services.report_submit(actor=request.user, report=report)
    except InvalidInput as exc:
        for message in exc.errors.values():
            messages.error(request, message)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The report was submitted."))
    return redirect("reporting:report_detail", pk=report.pk)


def _detail_context(request, report, form, editable, violations):
    return {
        "report": report,
        "form": form,
        "editable": editable,
        "can_decide": access.can_decide(request.user, report) and report.status == "submitted",
        "violations": violations,
        "return_form": ReturnForm(),
        "upload_form": UploadForm(),
        "history": selectors.report_history(report),
        "deadline": selectors.deadline_of(report.form, report.period, report.version),
    }


@require_POST
def report_check(request, pk: int):
    """Errors and broken rules for what is typed so far (called as the user types)."""
    report = selectors.report_get(user=request.user, pk=pk)
    values = {k[2:]: v for k, v in request.POST.items() if k.startswith("v_")}
    errors, violations = services.report_check(report=report, values=values)
    return JsonResponse({"errors": errors, "violations": violations})


@require_POST
def report_decide(request, pk: int, action: str):
    report = selectors.report_get(user=request.user, pk=pk)
    try:
        if action == "approve":
            services.report_approve(actor=request.user, report=report)
            messages.success(request, _("The report was approved."))
        else:
            form = ReturnForm(request.POST)
            reason = form.data.get("reason", "")
            services.report_return(actor=request.user, report=report, reason=reason)
            messages.success(request, _("The report was returned."))
    except PermissionDenied:
        raise  # a refused write answers 403, as on every page
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("reporting:report_detail", pk=report.pk)


def report_template(request, pk: int):
    from giaoban.reporting import excel

    report = selectors.report_get(user=request.user, pk=pk)
    name = f"{report.form.code}-{report.period.year}-{report.unit.code}.xlsx"
    return _download(excel.template_workbook(report), XLSX, name)


@require_POST
def report_upload(request, pk: int):
    from giaoban.reporting import excel

    report = selectors.report_get(user=request.user, pk=pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a filled .xlsx template to upload."))
        return redirect("reporting:report_detail", pk=pk)
    try:
        result = excel.upload(request.user, report, form.cleaned_data["file"])
    except InvalidInput as exc:
        for message in exc.errors.values():
            messages.error(request, message)
    except PermissionDenied:
        raise  # a refused write answers 403, as on every page
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The spreadsheet was read and saved: %(n)d values changed.") % {"n": result.changed},
        )
        for violation in result.violations:
            messages.warning(request, violation)
    return redirect("reporting:report_detail", pk=pk)


def inbox(request):
    return render(request, "reporting/inbox.html", {"reports": selectors.inbox(user=request.user)})


def _consolidation_args(request):
    form = (
        ReportForm.objects.filter(code=request.GET.get("form", "")).first()
        or ReportForm.objects.first()
    )
    if form is None:
        return None, None, None
    periods = selectors.periods_of(form)
    period = periods.filter(pk=request.GET.get("period") or 0).first() or periods.first()
    unit_pk = request.GET.get("unit")
    if unit_pk:
        unit = org_selectors.unit_get(
            user=request.user, pk=int(unit_pk) if unit_pk.isdigit() else 0
        )
    else:
        unit = (
            org_selectors.unit_roots(user=request.user, on=period.end).first() if period else None
        )
    return form, period, unit


def _consolidate(request, form, period, unit):
    """The consolidation the page, Excel and Word share, compared as asked (?comparison=)."""
    asked = request.GET.get("comparison")
    return selectors.consolidate(
        user=request.user,
        unit=unit,
        form=form,
        period=period,
        comparison=asked if asked in (selectors.ALL, selectors.COMMON) else None,
    )


def consolidated(request):
    form, period, unit = _consolidation_args(request)
    if not (form and period and unit):
        return render(request, "reporting/consolidated.html", {"empty": True})
    result = _consolidate(request, form, period, unit)
    rows = selectors.breakdown(user=request.user, unit=unit, form=form, period=period)
    visible = Unit.objects.visible_to(request.user)
    context = {
        "result": result,
        "rows": rows,
        "forms": ReportForm.objects.all(),
        "periods": selectors.periods_of(form),
        "ancestors": [a for a in unit.ancestors() if visible.filter(pk=a.pk).exists()],
        **_charts(request, result, rows),
    }
    return render(request, "reporting/consolidated.html", context)


def _charts(request, result, rows) -> dict:
    """One indicator (chosen by ?indicator=) across the child units and across the periods."""
    indicator = _chart_indicator(request, result)
    if indicator is None:
        return {"indicator": None}
    by_child = [(u.short_name or u.name, values.get(indicator.code)) for u, values in rows]
    over_time = selectors.series(
        user=request.user,
        unit=result.unit,
        form=result.form,
        indicator=indicator,
        kind=result.period.kind,
    )
    return {
        "indicator": indicator,
        "chart_children": charts.bars(by_child, indicator.name),
        "chart_periods": charts.bars([(str(p), v) for p, v in over_time], indicator.name),
    }


def _chart_indicator(request, result):
    figures = [f.indicator for f in result.figures]
    chosen = [i for i in figures if i.code == request.GET.get("indicator")]
    return (chosen or figures or [None])[0]


def consolidated_xlsx(request):
    from giaoban.reporting import excel

    form, period, unit = _consolidation_args(request)
    if not (form and period and unit):
        return redirect("reporting:consolidated")
    result = _consolidate(request, form, period, unit)
    rows = selectors.breakdown(user=request.user, unit=unit, form=form, period=period)
    name = f"tong-hop-{form.code}-{period.year}-{unit.code}.xlsx"
    return _download(excel.consolidation_workbook(result, rows), XLSX, name)


def _download(data: bytes, content_type: str, name: str) -> HttpResponse:
    return download_response(data, name=name, content_type=content_type)
