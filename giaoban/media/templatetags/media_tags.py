"""The media pane's translated texts, handed to media.js (the script carries no language)."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def media_configured() -> bool:
    """Whether this server has a Janus (the media servers, or JANUS_URL): without one the pane
    is a sentence only."""
    from giaoban.media import pool

    return pool.configured()


@register.simple_tag
def media_labels() -> dict:
    return {
        "connecting": _("Connecting to the media server…"),
        "lost": _("Lost the media server; reconnecting by itself…"),
        "no_library": _("The audio and video library is not installed on this server."),
        "no_camera": _("The camera or microphone could not be opened: %(error)s"),
        "publishing": _("Your camera and microphone are sent to the conference."),
        "muted": _("Microphone closed by the chair"),
        "open": _("Microphone open"),
        "talking": _("talking"),
        "offline": _("no media"),
        "quality": _("quality %(q)s%%"),
        "host": _("Host point"),
        "floor": _("Has the floor"),
        "spotlight": _("In the spotlight"),
        "nobody_floor": _("Nobody has the floor."),
        "mute": _("Mute"),
        "unmute": _("Unmute"),
        "remove": _("Remove"),
        "confirm_remove": _("Remove this point's stream from the conference?"),
        "page": _("Page %(n)s of %(total)s"),
        "counts": _(
            "%(points)s bridge points: %(up)s sending, %(muted)s with the microphone closed"
        ),
        "readonly": _("Read-only: this console does not send a camera."),
        "test_running": _("Testing: your camera and microphone go to the server and back…"),
        "test_passed": _(
            "Test passed: %(frames)s frames came back, round trip %(rtt)s ms, loss %(loss)s%%."
        ),
        "test_failed": _("Test failed: %(why)s"),
        "test_no_media": _("no picture came back from the server"),
        "refused": _("Refused: %(message)s"),
        "server": _("media server: %(name)s"),
        "moved": _("This point was moved to another media server; reconnecting…"),
        "removed": _(
            "The chair removed this point from the media room. Reload the page to rejoin."
        ),
    }
