"""Conference pages: the list, a new conference, the record of one with the host's forms, the
corrections of the record and the minutes. The live consoles are in live/views.py.

Views look objects up and call services; who may do what is decided by the services and the
selectors (meetings.access), never here."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from giaoban.core.errors import ApplicationError, PermissionDenied
from giaoban.core.forms import add_errors
from giaoban.core.limits import LIVE_SEARCH_CHARS
from giaoban.core.text import nfc
from giaoban.meetings import selectors, services
from giaoban.meetings.forms import (
    AgendaItemEditForm,
    AgendaItemForm,
    ConclusionForm,
    ConferenceEditForm,
    ConferenceForm,
    CopyPointsForm,
    GuestForm,
    InviteForm,
    InviteLevelForm,
    PointEditForm,
    PointForm,
)
from giaoban.meetings.models import ConferenceStatus
from giaoban.orgs.access import can_edit, membership_of


def _hosted(request, pk: int):
    """The conference and the user's role, for a page or a form of the host side."""
    return selectors.conference_for(user=request.user, pk=pk, host=True)


def _to_record(pk: int, anchor: str = ""):
    return redirect(reverse("meetings:conference_detail", args=[pk]) + anchor)


# The list and a new conference -----------------------------------------------------------


def conference_list(request):
    conferences = selectors.conference_rows(user=request.user)
    page = Paginator(conferences, 50).get_page(request.GET.get("page"))
    return render(request, "meetings/conference_list.html", {"page": page})


def _conference_form(request):
    user = request.user
    membership = membership_of(user)
    return ConferenceForm(
        request.POST if request.method == "POST" else None,
        initial={"organizer": membership.organization_id if membership else None},
        organizers=selectors.organizers_for(user=user),
        **selectors.form_choices(user=user),
    )


def _particulars(data: dict) -> dict:
    """The conference form's fields as conference_create and conference_update take them."""
    names = ["title", "kind", "report_form", "period", "chair", "series"]
    names += ["secretary", "secretary_name"]
    return {name: data[name] for name in names} | {
        "start": data["scheduled_start"],
        "end": data["scheduled_end"],
    }


def _edit_initial(conference) -> dict:
    local = timezone.localtime
    return {
        "title": conference.title,
        "kind": conference.kind,
        "scheduled_start": local(conference.scheduled_start).strftime("%d/%m/%Y %H:%M"),
        "scheduled_end": local(conference.scheduled_end).strftime("%d/%m/%Y %H:%M"),
        "report_form": conference.report_form_id,
        "period": conference.period_id,
        "chair": conference.chair_id,
        "secretary": conference.secretary_id,
        # The name the person of the registry gives is not typed again.
        "secretary_name": "" if conference.secretary_id else conference.secretary_name,
        "series": conference.series,
        "revision": conference.revision,
    }


def conference_edit(request, pk):
    conference, _role = _hosted(request, pk)
    form = ConferenceEditForm(
        request.POST if request.method == "POST" else None,
        initial=_edit_initial(conference),
        **selectors.form_choices(user=request.user),
    )

    def save(data):
        services.conference_update(
            actor=request.user,
            conference=conference,
            revision=data["revision"],
            **_particulars(data),
        )

    return _edit_page(
        request,
        conference,
        form,
        save=save,
        done=_("The conference's particulars were saved."),
        template="meetings/conference_form.html",
    )


def conference_create(request):
    if not can_edit(request.user):
        raise PermissionDenied(_("Your role may not organize conferences."))
    form = _conference_form(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            conference = services.conference_create(
                actor=request.user, organizer=data["organizer"], **_particulars(data)
            )
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The conference was created. Now add its bridge points."))
            return redirect("meetings:conference_detail", pk=conference.pk)
    return render(request, "meetings/conference_form.html", {"form": form})


# The record of one conference ------------------------------------------------------------


def _offered(points, shown, form=None):
    """The points a form's choice offers: those of the page shown (or found by the points'
    search) and the host point, and the one a refused form had chosen; a national briefing's
    thousands of points would be thousands of options in each form."""
    chosen = form.data.get("point", "") if form is not None else ""
    where = Q(pk__in=shown) | Q(is_host=True)
    if chosen.isdigit() and len(chosen) < 19:
        where |= Q(pk=int(chosen))
    return points.filter(where)


def _point_choice(form, points, shown, large: bool):
    """Limit the form's choice of point to what is offered (see _offered), and say how to
    reach another when the conference has more points than one page."""
    field = form.fields["point"]
    field.queryset = _offered(points, shown, form if form.is_bound else None)
    if large:
        field.help_text = _(
            "The bridge points listed above (this page, or those found by the search of the "
            "bridge points) and the host point: search there to pick another."
        )
    return form


def _host_forms(request, conference, role, bound: dict, shown, large: bool) -> dict:
    """The forms of the detail page, unbound except the one that was just refused. Their
    choice of point is among the points listed (`shown`: the page, or the search's) and the
    host point."""
    if role.kind == "viewer":
        return {}
    user = request.user
    guest_points = selectors.guest_points(user=user, conference=conference)
    guest_form = bound.get("guest_form") or GuestForm(points=guest_points)
    if not role.is_host:
        return {"guest_form": guest_form}  # a point's operator: their own point, one option
    guest_form = _point_choice(guest_form, guest_points, shown, large)
    query = request.POST.get("q", "") if request.method == "POST" else request.GET.get("q", "")
    found = selectors.people_found(user=user, query=query)
    points = conference.points.all()
    invite_form = bound.get("invite_form") or InviteForm(
        points=points, people=found, day=conference.day, initial={"q": query}
    )
    invite_form = _point_choice(invite_form, points, shown, large)
    # A refused invitation is shown with the people of its search, not everyone visible.
    invite_form.fields["person"].queryset = found
    return {
        "query": query,
        "people_found": found,
        "point_form": bound.get("point_form") or _point_form(request, conference, data=None),
        "invite_form": invite_form,
        "guest_form": guest_form,
        "agenda_form": bound.get("agenda_form") or AgendaItemForm(),
        "conclusion_form": bound.get("conclusion_form") or ConclusionForm(),
    }


def _point_form(request, conference, data):
    user = request.user
    operators = selectors.operators_for(user=user)
    units = selectors.point_units(user=user, conference=conference)
    if data is None and conference.points.count() > settings.LIVE_ALL_POINTS_UP_TO:
        # Offered, not enforced: in a national briefing, the thousands of units already points
        # and accounts already operating one are left out of the lists (still accepted).
        taken = conference.points.filter(operator__isnull=False).values("operator_id")
        operators = operators.exclude(pk__in=taken)
        units = units.exclude(pk__in=conference.points.values("unit_id"))
    form = PointForm(data, units=units, operators=operators)
    if data is None:
        _offer_units(request, form, units)
    return form


#: Above this many units the add-point form offers those a search of units finds (at most this
#: many), never a list of thousands (a national host sees every commune of the country).
POINT_UNITS_OFFERED = 200


def _offer_units(request, form, units) -> None:
    """Narrow the unit list to a search (`units_q`: the unit's name, case and diacritics
    ignored) when there are more than POINT_UNITS_OFFERED; a POST still accepts any unit."""
    search = nfc(request.GET.get("units_q", ""))[:LIVE_SEARCH_CHARS]
    total = units.count()
    form.unit_search, form.units_total = search, total
    form.units_searchable = total > POINT_UNITS_OFFERED or bool(search)
    if not form.units_searchable:
        return
    found = units.search(search) if search else units.none()
    form.units_found = found.count() if search else 0
    form.fields["unit"].queryset = found[:POINT_UNITS_OFFERED]


def _points_search(request) -> str:
    """The search of the record's points, as typed (NFC), bounded as the live room's."""
    return nfc(request.GET.get("points_q", ""))[:LIVE_SEARCH_CHARS]


def _render_detail(request, conference, role, **bound):
    search = _points_search(request)
    points_page = selectors.record_points_page(
        conference, request.GET.get("points_page"), search=search
    )
    large = points_page.paginator.num_pages > 1 or bool(search)
    shown = [p.pk for p in points_page]
    context = {
        "conference": conference,
        "role": role,
        "editable": conference.is_open,
        "points": points_page.object_list,
        "points_page": points_page,
        "points_q": search,
        "agenda": selectors.agenda_with_documents(conference),
        "conclusions": conference.conclusions.all(),
        "attendance": selectors.attendance_counts(conference.pk),
        "can_start": conference.status == ConferenceStatus.PLANNED,
        "can_end": conference.status == ConferenceStatus.LIVE,
        **_host_forms(request, conference, role, bound, shown, large),
    }
    return render(request, "meetings/conference_detail.html", context)


def conference_detail(request, pk: int):
    conference, role = selectors.conference_for(user=request.user, pk=pk)
    return _render_detail(request, conference, role)


# Correcting the record: a point's or an item's particulars, or taking one out -------------


def _saved(request, form, save, done: str) -> bool:
    """Save a valid form through `save`; a refusal goes beside the input, which is kept."""
    if not form.is_valid():
        return False
    try:
        save(form.cleaned_data)
    except ApplicationError as exc:
        add_errors(form, exc)
        return False
    messages.success(request, done)
    return True


def _edit_page(request, conference, form, *, save, done: str, title="", anchor="", template=""):
    """GET: the form filled in; POST: save it (a stale page is refused, its input kept)."""
    if request.method == "POST" and _saved(request, form, save, done):
        return _to_record(conference.pk, anchor)
    context = {"conference": conference, "form": form, "title": title}
    return render(request, template or "meetings/edit_form.html", context)


def point_edit(request, pk, point_pk):
    conference, _role = _hosted(request, pk)
    point = selectors.point_in(conference, point_pk)
    form = PointEditForm(
        request.POST if request.method == "POST" else None,
        initial={
            "name": point.name,
            "location": point.location,
            "operator": point.operator_id,
            "revision": point.revision,
        },
        operators=selectors.operators_for(user=request.user),
    )
    return _edit_page(
        request,
        conference,
        form,
        save=lambda data: services.point_update(actor=request.user, point=point, **data),
        done=_("The bridge point was saved."),
        title=_("Edit the bridge point “%(name)s”") % {"name": point.name},
        anchor="#points",
    )


def agenda_edit(request, pk, item_pk):
    conference, _role = _hosted(request, pk)
    item = selectors.item_in(conference, item_pk)
    fields = ["kind", "title", "presenter", "planned_minutes", "revision"]
    form = AgendaItemEditForm(
        request.POST if request.method == "POST" else None,
        initial={name: getattr(item, name) for name in fields},
    )
    return _edit_page(
        request,
        conference,
        form,
        save=lambda data: services.agenda_update(actor=request.user, item=item, **data),
        done=_("The agenda item was saved."),
        title=_("Edit the agenda item “%(title)s”") % {"title": item.title},
        anchor="#agenda",
    )


def _remove_page(request, conference, *, what: str, remove, done: str, anchor: str):
    """GET: ask; POST: take it out, or say why not."""
    if request.method == "POST":
        try:
            remove()
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done)
        return _to_record(conference.pk, anchor)
    return render(request, "meetings/remove.html", {"conference": conference, "what": what})


def point_remove(request, pk, point_pk):
    conference, _role = _hosted(request, pk)
    point = selectors.point_in(conference, point_pk)
    return _remove_page(
        request,
        conference,
        what=point.name,
        remove=lambda: services.point_remove(actor=request.user, point=point),
        done=_("The bridge point was removed."),
        anchor="#points",
    )


def delegate_remove(request, pk, delegate_pk):
    conference, _role = selectors.conference_for(user=request.user, pk=pk)
    delegate = selectors.delegate_in(user=request.user, conference=conference, pk=delegate_pk)
    return _remove_page(
        request,
        conference,
        what=delegate.designation,
        remove=lambda: services.delegate_remove(actor=request.user, delegate=delegate),
        done=_("The delegate was removed from the list."),
        anchor="#delegates",
    )


def agenda_remove(request, pk, item_pk):
    conference, _role = _hosted(request, pk)
    item = selectors.item_in(conference, item_pk)
    return _remove_page(
        request,
        conference,
        what=item.title,
        remove=lambda: services.agenda_remove(actor=request.user, item=item),
        done=_("The agenda item was removed."),
        anchor="#agenda",
    )


# The forms of the record page ------------------------------------------------------------


def _form_post(request, conference, role, form_name: str, form, save, done: str):
    """A POST from one of the forms on the detail page: save it, or show the page again with the
    refusal beside the input, which is kept."""
    if _saved(request, form, save, done):
        anchor = "#delegates" if form_name == "guest_form" else f"#{form_name}"
        return _to_record(conference.pk, anchor)
    return _render_detail(request, conference, role, **{form_name: form})


@require_POST
def point_add(request, pk: int):
    conference, role = _hosted(request, pk)
    form = _point_form(request, conference, data=request.POST)

    def save(data):
        services.point_add(actor=request.user, conference=conference, **data)

    return _form_post(
        request, conference, role, "point_form", form, save, _("The bridge point was added.")
    )


@require_POST
def delegate_invite(request, pk: int):
    conference, role = _hosted(request, pk)
    form = InviteForm(
        request.POST,
        points=conference.points.all(),
        people=selectors.people_invitable(user=request.user),
        day=conference.day,
    )

    def save(data):
        services.delegate_invite(actor=request.user, point=data["point"], person=data["person"])

    return _form_post(
        request, conference, role, "invite_form", form, save, _("The delegate was invited.")
    )


@require_POST
def agenda_add(request, pk: int):
    conference, role = _hosted(request, pk)

    def save(data):
        services.agenda_add(actor=request.user, conference=conference, **data)

    return _form_post(
        request,
        conference,
        role,
        "agenda_form",
        AgendaItemForm(request.POST),
        save,
        _("The agenda item was added."),
    )


@require_POST
def conclusion_add(request, pk: int):
    conference, role = _hosted(request, pk)

    def save(data):
        services.conclusion_add(actor=request.user, conference=conference, text=data["text"])

    return _form_post(
        request,
        conference,
        role,
        "conclusion_form",
        ConclusionForm(request.POST),
        save,
        _("The conclusion was recorded."),
    )


@require_POST
def guest_add(request, pk: int):
    """The host adds a guest at any point; a point's operator at their own point."""
    conference, role = selectors.conference_for(user=request.user, pk=pk)
    points = selectors.guest_points(user=request.user, conference=conference)
    form = GuestForm(request.POST, points=points)

    def save(data):
        services.delegate_add_guest(actor=request.user, **data)

    return _form_post(
        request, conference, role, "guest_form", form, save, _("The guest was added.")
    )


_TRANSITION_DONE = {
    "start": lambda: _("The conference was started."),
    "end": lambda: _("The conference was ended."),
    "cancel": lambda: _("The conference was cancelled."),
}


@require_POST
def conference_transition(request, pk: int, action: str):
    conference, _role = _hosted(request, pk)
    try:
        services.conference_transition(actor=request.user, conference=conference, action=action)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _TRANSITION_DONE[action]())
    return redirect("meetings:conference_detail", pk=pk)


@require_POST
def point_confirm(request, pk: int, point_pk: int):
    """A point's operator confirms ahead of the day that the point will attend."""
    conference, _role = selectors.conference_for(user=request.user, pk=pk)
    point = selectors.point_in(conference, point_pk)
    try:
        services.point_confirm(actor=request.user, point=point)
    except PermissionDenied:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The attendance of %(point)s is confirmed.") % {"point": point})
    return redirect("meetings:conference_detail", pk=pk)


# Minutes ---------------------------------------------------------------------------------


def minutes(request, pk: int):
    """The secretary's live minutes, one text per agenda item, beside what the record already
    holds for it: the turns at the floor and the incidents of the points."""
    writing = request.method == "POST"
    conference, role = selectors.conference_for(user=request.user, pk=pk, host=writing)
    kept = {}
    if writing:
        kept = _save_minutes(request, conference)
        if not kept:
            return redirect("meetings:minutes", pk=pk)
    context = {
        "conference": conference,
        "role": role,
        "items": selectors.minutes_items(conference),
        "kept": kept,
        "incidents": selectors.incidents_of(conference),
        "conclusions": conference.conclusions.all(),
    }
    return render(request, "meetings/minutes.html", context)


def _save_minutes(request, conference) -> dict:
    """Save one item's minutes; on a conflict return what the user typed so the page keeps it."""
    item = conference.agenda.filter(pk=request.POST.get("item") or 0).first()
    if item is None:
        messages.error(request, _("No such agenda item."))
        return {}
    text = request.POST.get("text", "")
    try:
        revision = int(request.POST.get("revision", ""))
        services.minutes_write(actor=request.user, item=item, text=text, revision=revision)
    except ValueError:
        messages.error(request, _("The page is out of date: reload it."))
        return {item.pk: text}
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return {item.pk: text}
    messages.success(request, _("Saved."))
    return {}


# Inviting at scale ---------------------------------------------------------------------------


def _invite_forms(request, conference, data=None, which=""):
    from giaoban.meetings.invitations import conference_previous
    from giaoban.orgs.models import Level, OrgKind

    parents = selectors.invite_parents(user=request.user, conference=conference)
    levels = [(value, label) for value, label in Level.choices if value != Level.PROVINCE]
    level_form = InviteLevelForm(
        data if which == "level" else None,
        parents=parents,
        levels=levels,
        kinds=OrgKind.choices,
        initial={"level": Level.COMMUNE},
    )
    previous = conference_previous(conference)
    copy_form = CopyPointsForm(
        data if which == "copy" else None,
        sources=selectors.copy_sources(user=request.user, conference=conference),
        initial={"source": previous.pk if previous else None},
    )
    return level_form, copy_form


def _invite_saved(request, form, save, done) -> bool:
    if not form.is_valid():
        return False
    try:
        result = save(form.cleaned_data)
    except ApplicationError as exc:
        add_errors(form, exc)
        return False
    messages.success(request, done % result.__dict__)
    return True


def points_invite(request, pk: int):
    """The host invites every unit at a level under a unit in one step, or starts from another
    conference's points and delegates."""
    from giaoban.meetings import invitations

    conference, _role = _hosted(request, pk)
    which = request.POST.get("form", "") if request.method == "POST" else ""
    level_form, copy_form = _invite_forms(request, conference, request.POST, which)
    if which == "level" and _invite_saved(
        request,
        level_form,
        lambda data: invitations.points_invite_level(
            actor=request.user,
            conference=conference,
            parent=data["parent"],
            level=data["level"],
            picks=[invitations.PositionPick(k, t) for k, t in level_form.picks()],
        ),
        _(
            "%(points)d bridge points invited with %(delegates)d delegates; "
            "%(without_operator)d without an operator; %(already_points)d were already points."
        ),
    ):
        return _to_record(conference.pk, "#points")
    if which == "copy" and _invite_saved(
        request,
        copy_form,
        lambda data: invitations.points_copy_from(
            actor=request.user, conference=conference, source=data["source"]
        ),
        _(
            "%(points)d bridge points copied with %(delegates)d delegates; %(units_gone)d units "
            "no longer exist and %(already_points)d were already points; %(delegates_left)d "
            "delegates hold no position on this day."
        ),
    ):
        return _to_record(conference.pk, "#points")
    context = {"conference": conference, "level_form": level_form, "copy_form": copy_form}
    return render(request, "meetings/points_invite.html", context)
