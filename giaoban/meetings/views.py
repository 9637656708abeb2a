"""Conference pages: the list, a new conference, the record of one with the host's forms, and the
two live consoles (the host's and a bridge point's) that run on the conference's WebSocket."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from giaoban.core.errors import ApplicationError, NotFound, PermissionDenied
from giaoban.core.forms import add_errors
from giaoban.meetings import selectors, services
from giaoban.meetings.access import Role, conference_role
from giaoban.meetings.forms import (
    AgendaItemEditForm,
    AgendaItemForm,
    ConclusionForm,
    ConferenceEditForm,
    ConferenceForm,
    GuestForm,
    InviteForm,
    PointEditForm,
    PointForm,
)
from giaoban.meetings.models import (
    Attendance,
    BridgePoint,
    ConferenceStatus,
    Delegate,
    Document,
    FloorRequest,
    FloorStatus,
    Incident,
    ItemKind,
    PointState,
)
from giaoban.orgs import selectors as org_selectors
from giaoban.orgs.access import can_edit, membership_of
from giaoban.orgs.models import Level, Organization, Person, Unit
from giaoban.reporting.models import Period, ReportForm

# Access ----------------------------------------------------------------------------------


def _conference(request, pk: int):
    """The conference and the user's role in it; 404 for anyone who may not see it."""
    conference = selectors.conference_get(user=request.user, pk=pk)
    role = conference_role(request.user, conference)
    if role is None:
        raise NotFound(_("No such conference, or you may not see it."))
    return conference, role


def _require_host(role: Role) -> None:
    if not role.is_host:
        raise PermissionDenied(_("Only the host of the conference may do this."))


def _require_own_point(role: Role, point: BridgePoint) -> None:
    if not (role.is_host or role.point_id == point.pk):
        raise PermissionDenied(_("You may act only for your own bridge point."))


def _point_of(conference, pk) -> BridgePoint:
    point = conference.points.filter(pk=pk).select_related("unit").first() if pk else None
    if point is None:
        raise NotFound(_("No such bridge point in this conference."))
    return point


# The list and a new conference -----------------------------------------------------------


def conference_list(request):
    conferences = (
        selectors.conferences_visible(user=request.user)
        .select_related("organizer__unit")
        .annotate(point_count=Count("points"))
        .order_by("-scheduled_start", "-pk")
    )
    page = Paginator(conferences, 50).get_page(request.GET.get("page"))
    return render(request, "meetings/conference_list.html", {"page": page})


def _choices(user) -> dict:
    return {
        "report_forms": ReportForm.objects.all(),
        "periods": Period.objects.all(),
        "people": Person.objects.visible_to(user)
        .prefetch_related("positions")
        .order_by("full_name"),
    }


def _conference_form(request):
    user = request.user
    membership = membership_of(user)
    return ConferenceForm(
        request.POST if request.method == "POST" else None,
        initial={"organizer": membership.organization_id if membership else None},
        organizers=Organization.objects.editable_by(user).select_related("unit").order_by("name"),
        **_choices(user),
    )


def _particulars(data: dict) -> dict:
    """The conference form's fields as conference_create and conference_update take them."""
    names = ["title", "kind", "report_form", "period", "chair", "series"]
    return {name: data[name] for name in names} | {
        "start": data["scheduled_start"],
        "end": data["scheduled_end"],
    }


def conference_edit(request, pk):
    conference, role = _conference(request, pk)
    _require_host(role)
    local = timezone.localtime
    form = ConferenceEditForm(
        request.POST if request.method == "POST" else None,
        initial={
            "title": conference.title,
            "kind": conference.kind,
            "scheduled_start": local(conference.scheduled_start).strftime("%d/%m/%Y %H:%M"),
            "scheduled_end": local(conference.scheduled_end).strftime("%d/%m/%Y %H:%M"),
            "report_form": conference.report_form_id,
            "period": conference.period_id,
            "chair": conference.chair_id,
            "series": conference.series,
            "revision": conference.revision,
        },
        **_choices(request.user),
    )
    return _edit_page(
        request,
        conference,
        form,
        save=lambda data: services.conference_update(
            actor=request.user,
            conference=conference,
            revision=data["revision"],
            **_particulars(data),
        ),
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


def _day(conference):
    return timezone.localtime(conference.scheduled_start).date()


def _points(conference) -> list[BridgePoint]:
    delegates = Delegate.objects.order_by("order", "id")
    points = list(
        conference.points.select_related("unit", "operator")
        .prefetch_related(Prefetch("delegates", queryset=delegates))
        .order_by("-is_host", "order", "id")
    )
    for point in points:
        point.ready_count = sum(bool(getattr(point, name)) for name in BridgePoint.READINESS)
    return points


def _host_forms(request, conference, role: Role, bound: dict) -> dict:
    """The forms of the detail page, unbound except the one that was just refused."""
    if not (role.is_host or role.kind == "point"):
        return {}
    points = conference.points.order_by("-is_host", "order", "id")
    if not role.is_host:
        own = points.filter(pk=role.point_id)
        return {"guest_form": bound.get("guest_form") or GuestForm(points=own)}
    query = request.POST.get("q", "") if request.method == "POST" else request.GET.get("q", "")
    found = _people_found(request.user, query)
    invite_form = bound.get("invite_form") or InviteForm(
        points=points, people=found, day=_day(conference), initial={"q": query}
    )
    # A refused invitation is shown with the people of its search, not everyone visible.
    invite_form.fields["person"].queryset = found
    return {
        "query": query,
        "people_found": found,
        "point_form": bound.get("point_form") or _point_form(request, conference, data=None),
        "invite_form": invite_form,
        "guest_form": bound.get("guest_form") or GuestForm(points=points),
        "agenda_form": bound.get("agenda_form") or AgendaItemForm(),
        "conclusion_form": bound.get("conclusion_form") or ConclusionForm(),
    }


def _people_found(user, query: str):
    if not query.strip():
        return Person.objects.none()
    ids = [p.pk for p in org_selectors.person_search(user=user, text=query, limit=20)]
    return Person.objects.filter(pk__in=ids).prefetch_related("positions").order_by("full_name")


def _operators(user):
    visible_orgs = Organization.objects.visible_to(user)
    return (
        get_user_model()
        .objects.filter(is_active=True, membership__organization__in=visible_orgs)
        .select_related("membership__organization")
        .order_by("username")
    )


def _point_form(request, conference, data):
    user = request.user
    units = (
        Unit.objects.visible_to(user)
        .on(_day(conference))
        .exclude(level=Level.VILLAGE)
        .order_by("path")
    )
    return PointForm(data, units=units, operators=_operators(user))


# Correcting the record: a point's or an item's particulars, or taking one out -------------


def _edit_page(request, conference, form, *, save, done: str, title="", anchor="", template=""):
    """GET: the form filled in; POST: save it (a stale page is refused, its input kept)."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(reverse("meetings:conference_detail", args=[conference.pk]) + anchor)
    context = {"conference": conference, "form": form, "title": title}
    return render(request, template or "meetings/edit_form.html", context)


def point_edit(request, pk, point_pk):
    conference, role = _conference(request, pk)
    _require_host(role)
    point = _point_of(conference, point_pk)
    form = PointEditForm(
        request.POST if request.method == "POST" else None,
        initial={
            "name": point.name,
            "location": point.location,
            "operator": point.operator_id,
            "revision": point.revision,
        },
        operators=_operators(request.user),
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
    conference, role = _conference(request, pk)
    _require_host(role)
    item = _get_in(conference.agenda, item_pk)
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
        return redirect(reverse("meetings:conference_detail", args=[conference.pk]) + anchor)
    return render(request, "meetings/remove.html", {"conference": conference, "what": what})


def point_remove(request, pk, point_pk):
    conference, role = _conference(request, pk)
    _require_host(role)
    point = _point_of(conference, point_pk)
    return _remove_page(
        request,
        conference,
        what=point.name,
        remove=lambda: services.point_remove(actor=request.user, point=point),
        done=_("The bridge point was removed."),
        anchor="#points",
    )


def delegate_remove(request, pk, delegate_pk):
    conference, role = _conference(request, pk)
    delegate = _get_in(Delegate.objects.filter(point__conference=conference), delegate_pk)
    if not (role.is_host or role.point_id == delegate.point_id):
        raise PermissionDenied(_("You may act only for your own bridge point."))
    return _remove_page(
        request,
        conference,
        what=delegate.designation,
        remove=lambda: services.delegate_remove(actor=request.user, delegate=delegate),
        done=_("The delegate was removed from the list."),
        anchor="#delegates",
    )


def agenda_remove(request, pk, item_pk):
    conference, role = _conference(request, pk)
    _require_host(role)
    item = _get_in(conference.agenda, item_pk)
    return _remove_page(
        request,
        conference,
        what=item.title,
        remove=lambda: services.agenda_remove(actor=request.user, item=item),
        done=_("The agenda item was removed."),
        anchor="#agenda",
    )


def _get_in(rows, pk):
    found = rows.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("That does not belong to this conference."))
    return found


def _render_detail(request, conference, role: Role, **bound):
    agenda = conference.agenda.prefetch_related(
        Prefetch("documents", queryset=Document.objects.order_by("uploaded_at"))
    ).order_by("order")
    context = {
        "conference": conference,
        "role": role,
        "editable": conference.status in (ConferenceStatus.PLANNED, ConferenceStatus.LIVE),
        "points": _points(conference),
        "agenda": agenda,
        "conclusions": conference.conclusions.order_by("order"),
        "attendance": selectors.attendance_counts(conference.pk),
        "can_start": conference.status == ConferenceStatus.PLANNED,
        "can_end": conference.status == ConferenceStatus.LIVE,
        **_host_forms(request, conference, role, bound),
    }
    return render(request, "meetings/conference_detail.html", context)


def conference_detail(request, pk: int):
    conference, role = _conference(request, pk)
    return _render_detail(request, conference, role)


def _host_action(form_name: str, make_form, run, done: str):
    """A POST from one of the host's forms on the detail page: run the service, or show the page
    again with the refusal beside the input, which is kept."""

    @require_POST
    def view(request, pk: int):
        conference, role = _conference(request, pk)
        _require_host(role)
        form = make_form(request, conference)
        if form.is_valid():
            try:
                run(request, conference, form.cleaned_data)
            except ApplicationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, done)
                return redirect(reverse("meetings:conference_detail", args=[pk]) + f"#{form_name}")
        return _render_detail(request, conference, role, **{form_name: form})

    return view


def _conference_points(conference):
    return conference.points.order_by("-is_host", "order", "id")


point_add = _host_action(
    "point_form",
    lambda request, conference: _point_form(request, conference, data=request.POST),
    lambda request, conference, data: services.point_add(
        actor=request.user, conference=conference, **data
    ),
    gettext_lazy("The bridge point was added."),
)

delegate_invite = _host_action(
    "invite_form",
    lambda request, conference: InviteForm(
        request.POST,
        points=_conference_points(conference),
        people=Person.objects.visible_to(request.user).prefetch_related("positions"),
        day=_day(conference),
    ),
    lambda request, conference, data: services.delegate_invite(
        actor=request.user, point=data["point"], person=data["person"]
    ),
    gettext_lazy("The delegate was invited."),
)

agenda_add = _host_action(
    "agenda_form",
    lambda request, conference: AgendaItemForm(request.POST),
    lambda request, conference, data: services.agenda_add(
        actor=request.user, conference=conference, **data
    ),
    gettext_lazy("The agenda item was added."),
)

conclusion_add = _host_action(
    "conclusion_form",
    lambda request, conference: ConclusionForm(request.POST),
    lambda request, conference, data: services.conclusion_add(
        actor=request.user, conference=conference, text=data["text"]
    ),
    gettext_lazy("The conclusion was recorded."),
)


@require_POST
def guest_add(request, pk: int):
    """The host adds a guest at any point; a point's operator at their own point."""
    conference, role = _conference(request, pk)
    if not (role.is_host or role.kind == "point"):
        raise PermissionDenied(_("You may act only for your own bridge point."))
    points = _conference_points(conference)
    if not role.is_host:
        points = points.filter(pk=role.point_id)
    form = GuestForm(request.POST, points=points)
    if form.is_valid():
        try:
            services.delegate_add_guest(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The guest was added."))
            return redirect(reverse("meetings:conference_detail", args=[pk]) + "#delegates")
    return _render_detail(request, conference, role, guest_form=form)


_TRANSITION_DONE = {
    "start": lambda: _("The conference was started."),
    "end": lambda: _("The conference was ended."),
    "cancel": lambda: _("The conference was cancelled."),
}


@require_POST
def conference_transition(request, pk: int, action: str):
    conference, role = _conference(request, pk)
    _require_host(role)
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
    conference, role = _conference(request, pk)
    point = _point_of(conference, point_pk)
    _require_own_point(role, point)
    try:
        services.point_confirm(actor=request.user, point=point)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The attendance of %(point)s is confirmed.") % {"point": point})
    return redirect("meetings:conference_detail", pk=pk)


# The live consoles -----------------------------------------------------------------------


def _console_labels() -> dict:
    """Every text live.js shows, translated here so that the script carries no language."""
    return {
        "status": {s.value: s.label for s in ConferenceStatus},
        "point_state": {s.value: s.label for s in PointState},
        "item_kind": {k.value: k.label for k in ItemKind},
        "attendance": {a.value: a.label for a in Attendance},
        "floor": {f.value: f.label for f in FloorStatus},
        "connection": {
            "connecting": _("Connecting…"),
            "open": _("Connected"),
            "lost": _("Connection lost, retrying"),
            "denied": _("You may not join this conference's live room. Reload the page."),
        },
        "host_point": _("host"),
        "guest": _("guest"),
        "no_item": _("No agenda item has started."),
        "nobody_speaking": _("Nobody has the floor."),
        "queue_empty": _("Nobody is waiting for the floor."),
        "grant": _("Give the floor"),
        "decline": _("Decline"),
        "move_up": _("Move up"),
        "finish": _("End the turn"),
        "withdraw": _("Withdraw"),
        "readiness": _("Readiness %(done)s/%(total)s"),
        "ready": _("Ready"),
        "incidents": _("%(n)s open incidents"),
        "delegates_present": _("%(present)s/%(invited)s delegates present"),
        "attendance_total": _(
            "Present %(present)s/%(total)s · absent %(absent)s · represented %(represented)s"
        ),
        "planned": _("planned %(minutes)s min"),
        "speaking_at": _("%(point)s is speaking"),
        "you_have_floor": _("Your point has the floor"),
        "you_wait": _("Your request is number %(n)s in the queue"),
        "confirmed": _("Attendance confirmed"),
        "offline_action": _("Not connected: the action was not sent. Wait for the connection."),
        "represented_by": _("represented by %(name)s"),
        "online_count": _("%(online)s of %(total)s online"),
        "spotlight_on": _("In the spotlight: %(point)s"),
        "spotlight_put": _("Put in the spotlight"),
        "spotlight_clear": _("Take out of the spotlight"),
        "points_shown": _(
            "Showing %(shown)s of the %(total)s bridge points: those that need attention "
            "first. Find any other by its name above."
        ),
        "points_scope_own": _(
            "The conference has %(total)s bridge points: this console shows the host point and "
            "yours; the counts above are for all of them."
        ),
        "note_needed": _(
            "Write the reason for the absence, or who represents the delegate, in the box first."
        ),
        "topic_needed": _("Write what you want to speak about."),
        "confirm_end": _("End the conference for every bridge point?"),
        "requested_at": _("asked at %(time)s"),
    }


def _console_context(conference, role: Role, point=None, readonly=False) -> dict:
    return {
        "conference": conference,
        "role": role,
        "point": point,
        "readonly": readonly,
        "ws_path": f"/ws/conferences/{conference.pk}/",
        "labels": _console_labels(),
        "readiness_items": [
            (name, BridgePoint._meta.get_field(name).verbose_name) for name in BridgePoint.READINESS
        ],
    }


def host_console(request, pk: int):
    conference, role = _conference(request, pk)
    _require_host(role)
    context = _console_context(conference, role) | {
        "all_points_up_to": settings.LIVE_ALL_POINTS_UP_TO
    }
    return render(request, "meetings/host_console.html", context)


def point_console(request, pk: int):
    """A point's operator sees their own point; the host may look at any point's console
    (?point=ID), read-only except for the host's own point."""
    conference, role = _conference(request, pk)
    if role.kind == "point":
        point = _point_of(conference, role.point_id)
        readonly = False
    elif role.is_host:
        wanted = request.GET.get("point", "")
        if wanted.isdigit():
            point = _point_of(conference, int(wanted))
        else:
            point = conference.points.order_by("-is_host", "order", "id").first()
            if point is None:
                raise NotFound(_("This conference has no bridge point yet."))
        readonly = not point.is_host
    else:
        raise PermissionDenied(_("Only a bridge point's operator or the host open this console."))
    context = _console_context(conference, role, point, readonly)
    context |= {
        "delegates": point.delegates.order_by("order", "id"),
        "documents": _documents(conference),
        "all_points": conference.points.order_by("-is_host", "order", "id") if role.is_host else [],
    }
    return render(request, "meetings/point_console.html", context)


def _documents(conference):
    items = conference.agenda.annotate(n=Count("documents")).filter(n__gt=0).order_by("order")
    return items.prefetch_related(
        Prefetch("documents", queryset=Document.objects.order_by("uploaded_at"))
    )


def point_delegates(request, pk: int, point_pk: int):
    """The point's delegates and their attendance, for its console to refresh after a roll call."""
    conference, role = _conference(request, pk)
    point = _point_of(conference, point_pk)
    _require_own_point(role, point)
    delegates = point.delegates.order_by("order", "id")
    return JsonResponse(
        {
            "point": point.pk,
            "delegates": [
                {
                    "id": d.pk,
                    "full_name": d.full_name,
                    "designation": d.designation,
                    "is_guest": d.is_guest,
                    "attendance": d.attendance,
                    "attendance_label": d.get_attendance_display(),
                    "absence_reason": d.absence_reason,
                    "represented_by": d.represented_by,
                }
                for d in delegates
            ],
            "counts": selectors.attendance_counts(conference.pk, point.pk),
        }
    )


# Minutes ---------------------------------------------------------------------------------


def minutes(request, pk: int):
    """The secretary's live minutes, one text per agenda item, beside what the record already
    holds for it: the turns at the floor and the incidents of the points."""
    conference, role = _conference(request, pk)
    kept = {}
    if request.method == "POST":
        _require_host(role)
        kept = _save_minutes(request, conference)
        if not kept:
            return redirect("meetings:minutes", pk=pk)
    items = conference.agenda.order_by("order").prefetch_related(
        Prefetch(
            "contributions",
            queryset=FloorRequest.objects.filter(status=FloorStatus.DONE).select_related("point"),
        )
    )
    incidents = Incident.objects.filter(point__conference=conference).select_related("point")
    context = {
        "conference": conference,
        "role": role,
        "items": items,
        "kept": kept,
        "incidents": incidents,
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
