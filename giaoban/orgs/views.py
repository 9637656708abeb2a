"""Registry pages: the unit tree, a unit, an organization, a person, and their edit forms."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from giaoban.core.errors import ApplicationError, PermissionDenied
from giaoban.orgs import selectors, services
from giaoban.orgs.access import can_edit, edit_filter
from giaoban.orgs.forms import OrganizationForm, PersonForm, PositionEndForm, PositionForm
from giaoban.orgs.models import Organization, Position, Unit


def _day(request, ended=None):
    """The date the page shows (?on=), by default today, or the last day of the unit the page is
    about when it `ended` before (a 2021 district's page shows it as it was)."""
    default = selectors.default_day(user=request.user)
    if ended is not None and ended < default:
        default = ended
    try:
        return selectors.parse_day(request.GET.get("on"), default=default), None
    except ApplicationError as exc:
        return default, exc.message


def _require_editor(user):
    if not can_edit(user):
        raise PermissionDenied(_("Your role may only read the registry."))


def _editable_units(user):
    # Past units stay selectable: the registry also records 2021 under its 2021 structure.
    return Unit.objects.filter(edit_filter(user, "")).order_by("-valid_to", "level", "code")


def unit_tree(request):
    day, error = _day(request)
    query = request.GET.get("q", "").strip()
    roots = list(selectors.unit_children(user=request.user, on=day))
    context = {
        "day": day,
        "date_error": error,
        "query": query,
        "roots": [
            (root, selectors.unit_children(user=request.user, on=day, parent=root))
            for root in roots
        ],
        "found": selectors.unit_search(user=request.user, text=query, on=day) if query else None,
        "people_found": selectors.person_search(user=request.user, text=query, limit=20)
        if query
        else None,
        "home_last_day": selectors.home_unit_last_day(user=request.user, after=day),
    }
    return render(request, "orgs/unit_tree.html", context)


def unit_detail(request, pk: int):
    unit = selectors.unit_get(user=request.user, pk=pk)
    day, error = _day(request, ended=unit.valid_to)
    context = {
        "unit": unit,
        "day": day,
        "date_error": error,
        "valid": unit.is_valid_on(day),
        "ancestors": [
            a
            for a in unit.ancestors()
            if Unit.objects.visible_to(request.user).filter(pk=a.pk).exists()
        ],
        "children": selectors.unit_children(user=request.user, on=day, parent=unit),
        "organizations": selectors.organizations_at(user=request.user, unit=unit, on=day),
        "people": selectors.person_search(user=request.user, unit=unit, limit=500),
        "predecessors": selectors.unit_predecessors(unit=unit),
        "successors": selectors.unit_successors(unit=unit),
    }
    return render(request, "orgs/unit_detail.html", context)


def organization_detail(request, pk: int):
    day, error = _day(request)
    org = selectors.organization_get(user=request.user, pk=pk)
    context = {
        "org": org,
        "day": day,
        "date_error": error,
        "children": Organization.objects.visible_to(request.user).filter(parent=org),
        "holders": selectors.organization_holders(organization=org, on=day),
    }
    return render(request, "orgs/organization_detail.html", context)


def _organization_form(request, org=None):
    units = _editable_units(request.user)
    parents = Organization.objects.visible_to(request.user)
    if org is not None:
        parents = parents.exclude(pk=org.pk)
        initial = {
            f: getattr(org, f) for f in ("name", "kind", "unit", "parent", "valid_from", "valid_to")
        }
        initial["version"] = org.version
    else:
        initial = {"unit": request.GET.get("unit")}
    data = request.POST if request.method == "POST" else None
    return OrganizationForm(data, initial=initial, units=units, parents=parents)


def _save_organization(request, form, org):
    data = dict(form.cleaned_data)
    version = data.pop("version") or 0
    if org is None:
        return services.organization_create(actor=request.user, **data)
    return services.organization_update(
        actor=request.user, organization=org, version=version, **data
    )


def organization_edit(request, pk: int | None = None):
    _require_editor(request.user)
    org = None
    if pk is not None:
        org = (
            Organization.objects.editable_by(request.user)
            .filter(pk=pk)
            .select_related("unit")
            .first()
        )
        if org is None:
            raise PermissionDenied(_("You may not change this organization."))
    form = _organization_form(request, org)
    if request.method == "POST" and form.is_valid():
        try:
            org = _save_organization(request, form, org)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("orgs:organization_detail", pk=org.pk)
    return render(request, "orgs/form.html", {"form": form, "title": org or _("New organization")})


def person_list(request):
    query = request.GET.get("q", "")
    people = selectors.person_search(user=request.user, text=query)
    return render(
        request,
        "orgs/person_list.html",
        {"people": people, "query": query, "day": timezone.localdate()},
    )


def person_detail(request, pk: int):
    person = selectors.person_get(user=request.user, pk=pk)
    context = {"person": person, "today": timezone.localdate(), "end_form": PositionEndForm()}
    return render(request, "orgs/person_detail.html", context)


def person_edit(request, pk: int | None = None):
    _require_editor(request.user)
    person = None
    initial = {"unit": request.GET.get("unit")}
    if pk is not None:
        person = selectors.person_get(user=request.user, pk=pk)
        initial = {
            "full_name": person.full_name,
            "unit": person.unit,
            "note": person.note,
            "version": person.version,
        }
    data = request.POST if request.method == "POST" else None
    form = PersonForm(data, initial=initial, units=_editable_units(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if person is None:
                person = services.person_create(
                    actor=request.user,
                    full_name=data["full_name"],
                    unit=data["unit"],
                    note=data["note"],
                )
            else:
                services.person_update(
                    actor=request.user,
                    person=person,
                    version=data["version"] or 0,
                    full_name=data["full_name"],
                    unit=data["unit"],
                    note=data["note"],
                )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("orgs:person_detail", pk=person.pk)
    return render(request, "orgs/form.html", {"form": form, "title": person or _("New person")})


def position_add(request, pk: int):
    _require_editor(request.user)
    person = selectors.person_get(user=request.user, pk=pk)
    organizations = selectors.organizations_for_positions(user=request.user)
    form = PositionForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        try:
            services.position_add(actor=request.user, person=person, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("orgs:person_detail", pk=person.pk)
    title = _("New position of %(name)s") % {"name": person.full_name}
    return render(request, "orgs/form.html", {"form": form, "title": title})


@require_POST
def position_end(request, pk: int):
    _require_editor(request.user)
    position = (
        Position.objects.filter(person__in=selectors.person_search(user=request.user, limit=None))
        .filter(pk=pk)
        .select_related("person__unit")
        .first()
    )
    if position is None:
        raise PermissionDenied(_("You may not change this position."))
    form = PositionEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("End date: write a date as dd/mm/yyyy."))
    else:
        try:
            services.position_end(
                actor=request.user, position=position, end_date=form.cleaned_data["end_date"]
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Saved."))
    return redirect("orgs:person_detail", pk=position.person_id)
