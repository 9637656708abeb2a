"""The next briefing opens with the previous one's tasks: a receiver of `conference_created`."""

from giaoban.followup import selectors
from giaoban.followup.models import Task
from giaoban.meetings.models import Conference, ConferenceStatus

REVIEW_TITLE = "Kiểm điểm việc thực hiện nhiệm vụ từ hội nghị trước"


def previous_of(conference: Conference) -> Conference | None:
    """The conference of the same series held last before this one (cancelled ones don't count)."""
    if not conference.series:
        return None
    return (
        Conference.objects.filter(
            series=conference.series, scheduled_start__lt=conference.scheduled_start
        )
        .exclude(pk=conference.pk)
        .exclude(status=ConferenceStatus.CANCELLED)
        .order_by("-scheduled_start", "-pk")
        .first()
    )


def review_item_add(sender, *, conference: Conference, actor=None, **kwargs) -> None:
    """Runs inside the transaction that creates `conference`: if the previous conference of its
    series gave tasks, add an agenda item listing them with each unit's status."""
    from giaoban.meetings.services import agenda_add

    previous = previous_of(conference)
    if previous is None:
        return
    tasks = Task.objects.filter(source_conference=previous)
    if not tasks.exists():
        return
    day = conference.day
    agenda_add(
        actor=None,  # the system adds it, whoever created the conference
        conference=conference,
        kind="other",
        title=REVIEW_TITLE,
        notes=selectors.review_notes(tasks, today=day),
        planned_minutes=15,
    )
