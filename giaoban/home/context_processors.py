"""Template context shared by every page: the user's membership (for the menu by role)."""

from giaoban.orgs.access import can_edit, membership_of


def membership(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"membership": membership_of(user), "can_edit": can_edit(user)}
