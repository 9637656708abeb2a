"""Publishing pages: a conference's article (draft, edit, export), its minutes and conclusion
notice as Word documents, and reading an existing text back into a conference record."""

from datetime import date

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from giaoban.core.errors import ApplicationError, NotFound, PermissionDenied
from giaoban.core.files import download_response
from giaoban.core.forms import add_errors
from giaoban.meetings import selectors as meeting_selectors
from giaoban.orgs.access import can_edit
from giaoban.publishing import documents, selectors, services
from giaoban.publishing.forms import ArticleForm, ReadForm, ReviewForm

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(data: bytes, name: str, content_type: str = DOCX) -> HttpResponse:
    return download_response(data, name=name, content_type=content_type)


# The article ------------------------------------------------------------------------------


def article(request, pk: int):
    conference, role = meeting_selectors.conference_for(
        user=request.user, pk=pk, host=request.method == "POST"
    )
    draft = selectors.article_of(conference)
    form = None
    if draft is not None and role.is_host:
        form = ArticleForm(
            request.POST if request.method == "POST" else None,
            initial={"title": draft.title, "body": draft.body, "revision": draft.revision},
        )
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.article_save(actor=request.user, draft=draft, **form.cleaned_data)
            messages.success(request, _("The article is saved."))
            return redirect("publishing:article", pk=pk)
        except ApplicationError as exc:
            add_errors(form, exc)
    context = {"conference": conference, "role": role, "draft": draft, "form": form}
    return render(request, "publishing/article.html", context)


@require_POST
def article_draft(request, pk: int):
    conference, _role = meeting_selectors.conference_for(user=request.user, pk=pk, host=True)
    revision = request.POST.get("revision")
    try:
        services.article_draft(
            actor=request.user,
            conference=conference,
            revision=int(revision) if revision and revision.isdigit() else None,
        )
        messages.success(request, _("The article has been drafted from the conference's record."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("publishing:article", pk=pk)


def _draft_or_404(request, pk: int):
    conference, _role = meeting_selectors.conference_for(user=request.user, pk=pk)
    draft = selectors.article_of(conference)
    if draft is None:
        raise NotFound(_("This conference has no article yet."))
    return draft


def article_docx(request, pk: int):
    draft = _draft_or_404(request, pk)
    return _download(documents.article_docx(draft), f"Tin bài - {draft.title[:80]}.docx")


def article_html(request, pk: int):
    draft = _draft_or_404(request, pk)
    page = render(request, "publishing/article_export.html", {"draft": draft}).content
    return _download(page, f"Tin bài - {draft.title[:80]}.html", "text/html; charset=utf-8")


# Reading back -----------------------------------------------------------------------------


def read(request):
    if not can_edit(request.user):
        raise PermissionDenied(_("Your role may not record conferences."))
    form = ReadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            text = services.text_from_uploaded_file(upload) if upload else form.cleaned_data["text"]
            item = services.text_import(
                actor=request.user, text=text, source_name=upload.name if upload else ""
            )
            return redirect("publishing:review", pk=item.pk)
        except ApplicationError as exc:
            add_errors(form, exc)
    recent = selectors.imports_visible(user=request.user)[:20]
    return render(request, "publishing/read.html", {"form": form, "recent": recent})


def _people(request, item, day: date):
    people = []
    for person in item.record.get("persons", []):
        candidates = selectors.person_candidates(
            user=request.user, name=person["name"], positions=person.get("positions", [])
        )
        for candidate in candidates:
            candidate.designation_label = f"{candidate.designation(day)} ({candidate.unit.name})"
        people.append((person, candidates))
    return people


def _initial(user, item) -> dict:
    record = item.record
    start, end = selectors.guess_times(item.text)
    day = date.fromisoformat(record["date"]) if record.get("date") else None
    organizers = selectors.organizer_candidates(user=user, text=record.get("organizer"))
    initial = {
        "title": record.get("title") or "",
        "kind": selectors.guess_kind(record.get("title") or ""),
        "day": day.strftime("%d/%m/%Y") if day else "",
        "start": start,
        "end": end,
        "organizer": organizers.first().pk if organizers.exists() else None,
    }
    return initial


def _point_places(user, item, form, organizers, initial: dict, day: date):
    """Where the points the text names will be put, for the organizer chosen (or proposed)."""
    chosen = form.cleaned_data.get("organizer") if form.is_bound and form.is_valid() else None
    organizer = chosen or organizers.filter(pk=initial.get("organizer")).first()
    if organizer is None:
        return []
    if form.is_bound and form.is_valid():
        day = form.cleaned_data["day"]
    return selectors.point_places(user=user, record=item.record, organizer=organizer, day=day)


def review(request, pk: int):
    item = selectors.import_get(user=request.user, pk=pk)
    record = item.record
    day = date.fromisoformat(record["date"]) if record.get("date") else date.today()
    people = _people(request, item, day)
    initial = _initial(request.user, item)
    for index, (_person, candidates) in enumerate(people):
        initial[f"person_{index}"] = str(candidates[0].pk) if candidates else ""
    organizers = selectors.organizer_candidates(user=request.user, text=None)
    form = ReviewForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        organizers=organizers,
        people=people,
    )
    if request.method == "POST" and not item.conference_id and form.is_valid():
        data = form.cleaned_data
        by_pk = {str(c.pk): c for _p, candidates in people for c in candidates}
        matches = {i: by_pk.get(data.get(f"person_{i}") or "") for i in range(len(people))}
        review_ = services.Review(
            title=data["title"],
            organizer=data["organizer"],
            kind=data["kind"],
            day=data["day"],
            start=data["start"],
            end=data["end"],
            matches=matches,
        )
        try:
            conference = services.text_import_save(actor=request.user, item=item, review=review_)
            messages.success(request, _("The conference has been recorded from the text."))
            _warn_duplicates(request, conference)
            return redirect("meetings:conference_detail", pk=conference.pk)
        except ApplicationError as exc:
            add_errors(form, exc)
    record_day = date.fromisoformat(record["date"]) if record.get("date") else None
    context = {
        "item": item,
        "record": record,
        "record_day": record_day,
        "form": form,
        "points": _point_places(request.user, item, form, organizers, initial, day),
        "duplicates": _duplicates(request.user, item, form, organizers, initial, day),
    }
    return render(request, "publishing/review.html", context)


def _duplicates(user, item, form, organizers, initial: dict, day: date) -> list:
    """Conferences already recorded for the organizer chosen (or proposed) on the text's day."""
    if item.conference_id:
        return []
    valid = form.is_bound and form.is_valid()
    organizer = form.cleaned_data["organizer"] if valid else None
    organizer = organizer or organizers.filter(pk=initial.get("organizer")).first()
    if organizer is None:
        return []
    day = form.cleaned_data["day"] if valid else day
    return selectors.likely_duplicates(user=user, organizer=organizer, day=day)


def _warn_duplicates(request, conference) -> None:
    day = timezone.localtime(conference.scheduled_start).date()
    others = [
        c
        for c in selectors.likely_duplicates(
            user=request.user, organizer=conference.organizer, day=day
        )
        if c.pk != conference.pk
    ]
    if others:
        messages.warning(
            request,
            _("Likely the same briefing as: %(titles)s (same organizer, same day).")
            % {"titles": "; ".join(f"“{c.title}” (#{c.pk})" for c in others)},
        )
