"""Reporting endpoints: forms, periods, consolidated figures, and a report's workflow."""

from decimal import Decimal
from typing import Annotated, Literal

from django.shortcuts import get_object_or_404
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from giaoban.core.apischema import MAX_ID, BodyIn, PathId, Revision, answers
from giaoban.core.errors import NotFound
from giaoban.core.limits import max_length
from giaoban.orgs import selectors as org_selectors
from giaoban.reporting import selectors, services
from giaoban.reporting.models import NARRATIVE_MAX_LENGTH, Period, Report, ReportForm

router = Router(tags=["reporting"])


class FormOut(Schema):
    code: str
    name: str
    version: int


class PeriodOut(Schema):
    id: int
    label: str
    kind: str
    start: str
    end: str
    deadline: str


class CompletenessOut(Schema):
    expected: int
    submitted: int
    approved: int
    on_time: int
    complete: bool


class FigureOut(Schema):
    indicator: str
    name: str
    unit_of_measure: str
    value: Decimal | None
    previous: Decimal | None
    change_pct: Decimal | None
    #: How complete the reports behind `value` and `previous` are (a total made from fewer
    #: reports than expected says so), and the two figures the change is computed from.
    completeness: CompletenessOut
    previous_completeness: CompletenessOut | None
    compared_value: Decimal | None
    compared_previous: Decimal | None


class ConsolidatedOut(Schema):
    unit: str
    period: str
    compared_with: list[str]
    completeness: CompletenessOut
    previous_completeness: CompletenessOut | None
    #: "all": every approved report of each period; "common": the units approved in both.
    comparison: str
    common_units: list[str]
    values: list[FigureOut]


class ReportOut(Schema):
    id: int
    organization: str
    unit: str
    form: str
    version: int
    period: str
    status: str
    revision: int
    values: dict[str, Decimal | bool | str | None]
    narrative: dict[str, str]
    return_reason: str


#: A narrative section's text, as long as the form and the service allow.
NarrativeText = Annotated[str, Field(max_length=NARRATIVE_MAX_LENGTH)]


class SaveIn(BodyIn):
    revision: Revision
    values: dict[str, str | int | float | bool | None] = {}
    narrative: dict[str, NarrativeText] | None = None


class SaveOut(ReportOut):
    violations: list[str]


class ReturnIn(BodyIn):
    reason: str = Field(min_length=1, max_length=max_length(Report, "return_reason"))


def _form(code: str) -> ReportForm:
    form = ReportForm.objects.filter(code=code).first()
    if form is None:
        from django.utils.translation import gettext as _

        raise NotFound(_("No report form with code “%(code)s”.") % {"code": code})
    return form


def _report_out(report) -> dict:
    return {
        "id": report.pk,
        "organization": report.organization.name,
        "unit": report.unit.code,
        "form": report.form.code,
        "version": report.version.number,
        "period": str(report.period),
        "status": report.status,
        "revision": report.revision,
        "values": services.report_values(report),
        "narrative": report.narrative,
        "return_reason": report.return_reason,
    }


@router.get("/forms/", response=answers(list[FormOut]), summary="Report forms")
def forms(request):
    result = []
    for form in ReportForm.objects.all():
        version = form.versions.filter(published_at__isnull=False).order_by("-number").first()
        if version:
            result.append({"code": form.code, "name": form.name, "version": version.number})
    return result


@router.get("/periods/", response=answers(list[PeriodOut], 404), summary="Periods of a form")
def periods(request, form: str = Query(..., max_length=60)):
    report_form = _form(form)
    return [
        {
            "id": p.pk,
            "label": str(p),
            "kind": p.kind,
            "start": p.start.isoformat(),
            "end": p.end.isoformat(),
            "deadline": selectors.deadline_of(report_form, p).isoformat(),
        }
        for p in selectors.periods_of(report_form)
    ]


@router.get(
    "/reports/consolidated/",
    response=answers(ConsolidatedOut, 403, 404),
    summary="Consolidated figures",
)
def consolidated(
    request,
    form: str = Query(..., max_length=60),
    period: int = Query(..., gt=0, le=MAX_ID),
    unit: str = Query(..., max_length=20),
    comparison: Literal["all", "common"] | None = None,
):
    """Approved reports of the unit's subtree, consolidated per indicator, with completeness and
    the same period of the previous year (of the predecessor units if the unit was merged).
    `comparison` ("all" or "common") chooses how the change is computed; by default "common"
    when the two periods are not made of the same units' reports."""
    report_form = _form(form)
    the_period = get_object_or_404(Period, pk=period)
    the_unit = org_selectors.unit_by_code(user=request.user, code=unit, on=the_period.end)
    result = selectors.consolidate(
        user=request.user,
        unit=the_unit,
        form=report_form,
        period=the_period,
        comparison=comparison,
    )
    done = result.completeness.as_dict()
    before = result.previous_completeness.as_dict() if result.previous_completeness else None
    return {
        "unit": the_unit.code,
        "period": str(the_period),
        "compared_with": [u.code for u in result.compared_with],
        "completeness": done,
        "previous_completeness": before,
        "comparison": result.comparison,
        "common_units": [u.code for u in result.common_units],
        "values": [
            {
                "indicator": f.indicator.code,
                "name": f.indicator.name,
                "unit_of_measure": f.indicator.unit_of_measure,
                "value": f.value,
                "previous": f.previous,
                "change_pct": f.change_pct,
                "completeness": done,
                "previous_completeness": before,
                "compared_value": f.compared_value,
                "compared_previous": f.compared_previous,
            }
            for f in result.figures
        ],
    }


@router.get("/reports/{report_id}/", response=answers(ReportOut, 404), summary="A report")
def report_read(request, report_id: PathId):
    return _report_out(selectors.report_get(user=request.user, pk=report_id))


@router.post(
    "/reports/{report_id}/",
    response=answers(SaveOut, 403, 404, 409),
    summary="Save a report's values",
)
def report_write(request, report_id: PathId, payload: SaveIn):
    report = selectors.report_get(user=request.user, pk=report_id)
    result = services.report_save(
        actor=request.user,
        report=report,
        revision=payload.revision,
        values=payload.values,
        narrative=payload.narrative,
    )
    return {**_report_out(result.report), "violations": result.violations}


@router.post(
    "/reports/{report_id}/submit", response=answers(ReportOut, 403, 404), summary="Submit a report"
)
def report_submit(request, report_id: PathId):
    report = selectors.report_get(user=request.user, pk=report_id)
    return _report_out(services.report_submit(actor=request.user, report=report))


@router.post(
    "/reports/{report_id}/return", response=answers(ReportOut, 403, 404), summary="Return a report"
)
def report_return(request, report_id: PathId, payload: ReturnIn):
    report = selectors.report_get(user=request.user, pk=report_id)
    return _report_out(
        services.report_return(actor=request.user, report=report, reason=payload.reason)
    )


@router.post(
    "/reports/{report_id}/approve",
    response=answers(ReportOut, 403, 404),
    summary="Approve a report",
)
def report_approve(request, report_id: PathId):
    report = selectors.report_get(user=request.user, pk=report_id)
    return _report_out(services.report_approve(actor=request.user, report=report))


@router.post(
    "/reports/{report_id}/xlsx",
    response=answers(SaveOut, 403, 404, 409, 413),
    summary="Upload a filled .xlsx template",
)
def report_upload(request, report_id: PathId, file: UploadedFile = File(...)):  # noqa: B008
    from giaoban.reporting import excel

    report = selectors.report_get(user=request.user, pk=report_id)
    result = excel.upload(request.user, report, file)
    return {**_report_out(result.report), "violations": result.violations}
