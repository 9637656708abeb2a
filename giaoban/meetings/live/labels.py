"""Every text the live consoles' script (live.js) shows, translated on the server so that the
script carries no language."""

from django.utils.translation import gettext as _

from giaoban.meetings.models import Attendance, ConferenceStatus, FloorStatus, ItemKind, PointState


def console_labels() -> dict:
    """The labels of the states and the sentences, by key, for the page to hand to live.js."""
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
        "points_paged": _(
            "The conference has %(total)s bridge points: the host point and those that need "
            "attention come first, then one page. Find any other by its name above."
        ),
        "points_found": _("%(n)s bridge points found for “%(search)s”."),
        "points_page_range": _("Points %(first)s–%(last)s of %(total)s"),
        "attention_count": _("%(n)s need attention"),
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
