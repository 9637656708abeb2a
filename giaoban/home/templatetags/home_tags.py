"""The header's menu by role and the breadcrumbs along the unit tree, for every page."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from giaoban.home import selectors
from giaoban.orgs.models import Unit

register = template.Library()

# key, URL name, label; the menus below pick from these.
_ITEMS = {
    "home": ("home", _("Home")),
    "reports": ("reporting:report_list", _("Reports")),
    "consolidation": ("reporting:consolidated", _("Consolidation")),
    "conferences": ("meetings:conference_list", _("Conferences")),
    "tasks": ("followup:my_tasks", _("Tasks")),
    "documents": ("documents:my_register", pgettext_lazy("menu: outgoing documents", "Documents")),
    "units": ("orgs:unit_tree", _("Units")),
    "people": ("orgs:person_list", _("People")),
}
_MENUS = {
    selectors.LEADER: [
        "home",
        "consolidation",
        "reports",
        "conferences",
        "tasks",
        "documents",
        "units",
        "people",
    ],
    selectors.OFFICER: [
        "home",
        "reports",
        "tasks",
        "conferences",
        "consolidation",
        "documents",
        "units",
        "people",
    ],
    selectors.OPERATOR: ["home", "conferences", "units", "people"],
    selectors.NOBODY: ["home", "units"],
}
# Where an entry leads for a role, where not the same for all: a leader's (a province's) work
# is the tasks it assigned, not the few its own unit received.
_ROLE_URLS = {(selectors.LEADER, "tasks"): "followup:assigned"}
# Which menu entry a page belongs to: by URL name, then by app.
_SECTION_BY_NAME = {
    "reporting:consolidated": "consolidation",
    "orgs:person_list": "people",
    "orgs:person_detail": "people",
    "orgs:person_create": "people",
    "orgs:person_edit": "people",
}
_SECTION_BY_APP = {
    "reporting": "reports",
    "meetings": "conferences",
    "followup": "tasks",
    "documents": "documents",
    "orgs": "units",
}


def _section(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    if match.view_name == "home":
        return "home"
    return _SECTION_BY_NAME.get(match.view_name) or _SECTION_BY_APP.get(match.app_name, "")


@register.inclusion_tag("home/_menu.html", takes_context=True)
def main_menu(context):
    request = context["request"]
    current = _section(request)
    kind = selectors.home_kind(request.user)
    items = [
        (reverse(_ROLE_URLS.get((kind, k), _ITEMS[k][0])), _ITEMS[k][1], k == current)
        for k in _MENUS[kind]
    ]
    return {"items": items}


@register.inclusion_tag("home/_trail.html", takes_context=True)
def unit_trail(context, unit: Unit, last_is_link: bool = True):
    """The units from the user's own (or the root) down to `unit`, each a link to its page;
    units above the user's subtree are not shown, as the user may not open them."""
    user = context["request"].user
    chain = [*unit.ancestors(), unit]
    visible = set(
        Unit.objects.visible_to(user)
        .filter(pk__in=[u.pk for u in chain])
        .values_list("pk", flat=True)
    )
    return {
        "trail": [u for u in chain if u.pk in visible],
        "unit": unit,
        "last_is_link": last_is_link,
    }
