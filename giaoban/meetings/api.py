"""Conference endpoints: the day's conferences, one conference with its points and delegates, the
live state, the live room's actions and document uploads.

Actions take the same JSON messages as the live room's WebSocket and go through the same
`commands.run`, so a program and a console obey one set of rules and leave the same audit trail.
"""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import BaseModel, ConfigDict, Field

from giaoban.core.apischema import DAY_PATTERN, MAX_ID, BodyIn, PathId, Revision, answers
from giaoban.core.errors import ApplicationError, InvalidInput, NotFound
from giaoban.core.limits import LIVE_OFFSET_MAX, LIVE_PAGE_MAX, LIVE_SEARCH_CHARS
from giaoban.meetings import documents, selectors
from giaoban.meetings.live import commands, pages
from giaoban.meetings.live.refusals import record_refusal
from giaoban.meetings.models import Conference
from giaoban.orgs.selectors import parse_day

router = Router(tags=["meetings"])


class ConferenceRow(Schema):
    id: int
    title: str
    start: str
    status: str


class CountsOut(Schema):
    unknown: int
    present: int
    absent: int
    represented: int
    total: int


class DelegateOut(Schema):
    id: int
    full_name: str
    designation: str
    is_guest: bool
    attendance: str
    absence_reason: str
    represented_by: str
    checked_in_at: str | None


class PointOut(Schema):
    id: int
    name: str
    unit: str
    is_host: bool
    state: str
    location: str
    ready: bool
    readiness: dict[str, bool]
    attendance: CountsOut
    delegates: list[DelegateOut]


class ConferenceOut(Schema):
    id: int
    title: str
    kind: str
    series: str
    organizer: str
    chair: str
    secretary: str
    secretary_person: int | None
    start: str
    end: str
    status: str
    current_item: int | None
    seq: int
    revision: int
    attendance: CountsOut
    attendance_xlsx: str
    points: list[PointOut]


class AgendaItemOut(Schema):
    id: int
    order: int
    kind: str
    title: str
    presenter: str
    notes: str
    planned_minutes: int | None
    started_at: str | None
    ended_at: str | None


class FloorOut(Schema):
    """A request for the floor, waiting or speaking."""

    id: int
    point_id: int
    point: str
    topic: str
    speaker: str
    status: str
    requested_at: str | None
    granted_at: str | None


class SpotlightOut(Schema):
    point_id: int
    point: str


class LivePointOut(Schema):
    id: int
    order: int
    name: str
    is_host: bool
    state: str
    confirmed: bool
    ready: bool
    readiness: dict[str, bool]
    invited: int
    present: int
    open_incidents: int


class AttentionOut(Schema):
    ids: list[int] = Field(description="The points that need attention, most urgent first.")
    total: int = Field(description="How many need it in all (at most 100 ids are sent).")


class LivePageOut(Schema):
    offset: int
    limit: int
    search: str
    ids: list[int] = Field(description="The page's points, in their order.")
    total: int = Field(description="How many points the search matches (all of them: none).")


class LiveStateOut(Schema):
    """What the consoles show, numbered by `seq`: the same JSON the live room sends.

    Up to LIVE_ALL_POINTS_UP_TO points, every point's tile (`points_scope` "all"). Above it,
    the host side gets the counts, the tiles of the points that need attention (`attention`)
    and of one page (`page`: `offset`, `limit`, `search`), `points_scope` "page"; a point's
    operator the host's tile and its own, a viewer the host's, `points_scope` "own"."""

    id: int
    seq: int
    title: str
    status: str
    status_label: str
    chair: str
    current_item: AgendaItemOut | None
    spotlight: SpotlightOut | None
    attendance: CountsOut
    points_total: int
    points_online: int
    queue: list[FloorOut]
    speaking: FloorOut | None
    server_time: str
    agenda: list[AgendaItemOut]
    points_scope: str = Field("all", description="all, page or own: which tiles `points` holds")
    points: list[LivePointOut]
    attention: AttentionOut | None = None
    page: LivePageOut | None = None


class ActionIn(BaseModel):
    """A live-room message: {"action": "advance"}, {"action": "request_floor", "topic": …}, …

    A plain pydantic model: ninja's Schema drops the fields it does not declare, and every
    action has its own ("topic", "request", "point", …).
    """

    model_config = ConfigDict(extra="allow")

    action: str = Field(max_length=40)


class DocumentOut(Schema):
    id: int
    item: int
    original_name: str
    content_type: str
    size: int
    uploaded_at: str
    url: str


def _iso(moment) -> str | None:
    """Times in Vietnam's offset (+07:00), as officials read them."""
    return timezone.localtime(moment).isoformat() if moment else None


def _counts(delegates) -> dict:
    kinds = [d.attendance for d in delegates]
    counts = {kind: kinds.count(kind) for kind in ("unknown", "present", "absent", "represented")}
    return counts | {"total": len(kinds)}


def _delegate_out(d) -> dict:
    return {
        "id": d.pk,
        "full_name": d.full_name,
        "designation": d.designation,
        "is_guest": d.is_guest,
        "attendance": d.attendance,
        "absence_reason": d.absence_reason,
        "represented_by": d.represented_by,
        "checked_in_at": _iso(d.checked_in_at),
    }


def _point_out(p) -> dict:
    delegates = list(p.delegates.all())
    return {
        "id": p.pk,
        "name": p.name,
        "unit": p.unit.code,
        "is_host": p.is_host,
        "state": p.state,
        "location": p.location,
        "ready": p.is_ready,
        "readiness": {name: getattr(p, name) for name in p.READINESS},
        "attendance": _counts(delegates),
        "delegates": [_delegate_out(d) for d in delegates],
    }


def _conference_out(c: Conference) -> dict:
    points = c.points.select_related("unit").prefetch_related("delegates")
    return {
        "id": c.pk,
        "title": c.title,
        "kind": c.kind,
        "series": c.series,
        "organizer": c.organizer.name,
        "chair": c.chair.full_name if c.chair else "",
        "secretary": c.secretary_name,
        "secretary_person": c.secretary_id,
        "start": _iso(c.scheduled_start),
        "end": _iso(c.scheduled_end),
        "status": c.status,
        "current_item": c.current_item_id,
        "seq": c.seq,
        "revision": c.revision,
        "attendance": selectors.attendance_counts(c.pk),
        "attendance_xlsx": reverse("meetings_files:attendance_xlsx", args=[c.pk]),
        "points": [_point_out(p) for p in points],
    }


@router.get(
    "/conferences/", response=answers(list[ConferenceRow]), summary="Conferences (of a day)"
)
def conference_list(request, on: str | None = Query(None, pattern=DAY_PATTERN)):
    """Conferences the caller may see; with `on` (yyyy-mm-dd or dd/mm/yyyy) those held that day."""
    day = parse_day(on, default=None)
    conferences = (
        selectors.conferences_on(user=request.user, day=day)
        if day
        else selectors.conferences_visible(user=request.user)
    )
    return [
        {"id": c.pk, "title": c.title, "start": _iso(c.scheduled_start), "status": c.status}
        for c in conferences
    ]


@router.get(
    "/conferences/{conference_id}/", response=answers(ConferenceOut, 404), summary="A conference"
)
def conference_read(request, conference_id: PathId):
    """The conference with its bridge points, their delegates and the attendance counts."""
    return _conference_out(selectors.conference_get(user=request.user, pk=conference_id))


@router.get(
    "/conferences/{conference_id}/state",
    response=answers(LiveStateOut, 404),
    summary="The live state",
)
def conference_state(
    request,
    conference_id: PathId,
    offset: int = Query(0, ge=0, le=LIVE_OFFSET_MAX),
    limit: int = Query(pages.PAGE_SIZE, ge=1, le=LIVE_PAGE_MAX),
    search: str = Query("", max_length=LIVE_SEARCH_CHARS),
):
    """What the caller's console shows, numbered by `seq`: the same JSON the live room sends.
    In a conference above LIVE_ALL_POINTS_UP_TO points the host side pages the points
    (`offset`, `limit`, `search`: the unit's name, case and diacritics ignored)."""
    conference, role = selectors.conference_for(user=request.user, pk=conference_id)
    return pages.console_state(conference.pk, role, _page(offset, limit, search))


def _page(offset: int, limit: int, search: str) -> pages.HostPage:
    return pages.page_asked({"offset": offset, "limit": limit, "search": search})


@router.post(
    "/conferences/{conference_id}/actions",
    response=answers(LiveStateOut, 403, 404, 409),
    summary="Act in the live room",
)
def conference_act(
    request,
    conference_id: PathId,
    payload: ActionIn,
    offset: int = Query(0, ge=0, le=LIVE_OFFSET_MAX),
    limit: int = Query(pages.PAGE_SIZE, ge=1, le=LIVE_PAGE_MAX),
    search: str = Query("", max_length=LIVE_SEARCH_CHARS),
):
    """Run one live-room message with the caller's role and return the new live state, as
    `GET …/state` answers it (with its page). A refused message answers 403 and is kept in the
    audit log, as on the WebSocket."""
    page = _page(offset, limit, search)
    conference, role = selectors.conference_for(user=request.user, pk=conference_id)
    message: dict[str, Any] = payload.model_dump()
    try:
        commands.run(request.user, role, conference.pk, message)
    except ApplicationError as exc:
        if isinstance(exc, commands.Refused) or exc.code == "forbidden":
            record_refusal(request.user, conference.pk, message, exc.message)
        raise
    return pages.console_state(conference.pk, role, page)


class SecretaryIn(BodyIn):
    """`name` as typed, or `person` (an id of the registry) whose name is taken; neither clears
    it. `revision` is the conference's as last read (a stale one is refused, 409)."""

    name: str = Field("", max_length=120)
    person: int | None = Field(None, gt=0, le=MAX_ID)
    revision: Revision


@router.post(
    "/conferences/{conference_id}/secretary",
    response=answers(ConferenceOut, 403, 404, 409),
    summary="Record the secretary (host)",
)
def conference_secretary(request, conference_id: PathId, payload: SecretaryIn):
    """Who writes the minutes and signs them beside the chair; also after the conference ended,
    since the minutes are finished after it."""
    from giaoban.meetings import services
    from giaoban.orgs.models import Person

    conference, _role = selectors.conference_for(user=request.user, pk=conference_id)
    person = None
    if payload.person is not None:
        person = Person.objects.visible_to(request.user).filter(pk=payload.person).first()
        if person is None:
            raise InvalidInput({"person": _("No person with id %(id)s.") % {"id": payload.person}})
    services.conference_secretary_set(
        actor=request.user,
        conference=conference,
        revision=payload.revision,
        name=payload.name,
        person=person,
    )
    return _conference_out(selectors.conference_get(user=request.user, pk=conference.pk))


class PickIn(BodyIn):
    kind: str = Field(max_length=40)
    title: str = Field("", max_length=120)


class InviteIn(BodyIn):
    """Every unit at `level` (2 district, 3 commune, 4 village) under the unit `parent` (left
    out: every unit of that level the caller sees), with the holders of `positions`."""

    parent: int | None = Field(None, gt=0, le=MAX_ID)
    level: int = Field(3, ge=1, le=4)
    positions: list[PickIn] = []


class InvitedOut(Schema):
    points: int
    delegates: int
    without_operator: int
    already_points: int


class CopyIn(BodyIn):
    """`source` left out: the previous conference of the series."""

    source: int | None = Field(None, gt=0, le=MAX_ID)


class CopiedOut(Schema):
    points: int
    delegates: int
    units_gone: int
    already_points: int
    delegates_left: int


@router.post(
    "/conferences/{conference_id}/points/invite",
    response=answers(InvitedOut, 403, 404),
    summary="Invite every unit at a level under a unit (host)",
)
def points_invite(request, conference_id: PathId, payload: InviteIn):
    """One step, one transaction: each unit a bridge point with the operator it designates and
    the holders of the positions picked on the conference's day as delegates."""
    from giaoban.meetings import invitations
    from giaoban.orgs.models import Unit

    conference, _role = selectors.conference_for(user=request.user, pk=conference_id, host=True)
    parent = None
    if payload.parent is not None:
        parent = Unit.objects.visible_to(request.user).filter(pk=payload.parent).first()
        if parent is None:
            raise NotFound(_("No such unit, or you may not see it."))
    if len(payload.positions) > invitations.MAX_PICKS:
        raise InvalidInput(
            {"positions": _("Pick at most %(n)d positions.") % {"n": invitations.MAX_PICKS}}
        )
    result = invitations.points_invite_level(
        actor=request.user,
        conference=conference,
        parent=parent,
        level=payload.level,
        picks=[invitations.PositionPick(p.kind[:40], p.title) for p in payload.positions],
    )
    return result.__dict__


@router.post(
    "/conferences/{conference_id}/points/copy",
    response=answers(CopiedOut, 403, 404),
    summary="Copy the points and delegates of another conference (host)",
)
def points_copy(request, conference_id: PathId, payload: CopyIn):
    from giaoban.meetings import invitations

    conference, _role = selectors.conference_for(user=request.user, pk=conference_id, host=True)
    if payload.source is None:
        source = invitations.conference_previous(conference)
        if source is None:
            raise InvalidInput({"source": _("This conference has no previous one in its series.")})
    else:
        source = selectors.conference_get(user=request.user, pk=payload.source)
    result = invitations.points_copy_from(actor=request.user, conference=conference, source=source)
    return result.__dict__


@router.post(
    "/conferences/{conference_id}/documents",
    response=answers(DocumentOut, 403, 404, 413, status=201),
    summary="Attach a document to an agenda item",
)
def document_upload(
    request,
    conference_id: PathId,
    item: int = Query(..., gt=0, le=MAX_ID),
    file: UploadedFile = File(...),  # noqa: B008
):
    """A PDF, Word (.docx) or Excel (.xlsx) file, up to 20 MB, told by its content (host side)."""
    conference = selectors.conference_get(user=request.user, pk=conference_id)
    agenda_item = conference.agenda.filter(pk=item).first()
    if agenda_item is None:
        raise NotFound(_("This conference has no such agenda item."))
    document = documents.document_attach(actor=request.user, item=agenda_item, upload=file)
    return Status(
        201,
        {
            "id": document.pk,
            "item": agenda_item.pk,
            "original_name": document.original_name,
            "content_type": document.content_type,
            "size": document.size,
            "uploaded_at": _iso(document.uploaded_at),
            "url": reverse("meetings_files:document_download", args=[document.pk]),
        },
    )
