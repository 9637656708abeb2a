"""Who may see and touch a task: built on giaoban.orgs.access, the one place that decides.

A user sees the tasks assigned by or to organizations in their subtree, and of a task the
assignments that are theirs to see (Bát Xát does not see Sa Pa's). The assigning
organization's editors assign, accept and send back; only the assignee organization's own
editors report on an assignment. Viewers and operators read; superusers see everything.
"""

from django.db.models import Q

from giaoban.orgs.access import EVERYTHING, membership_of, unit_filter
from giaoban.orgs.models import EDITOR_ROLES


def _sees_everything(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active)


def assignment_filter(user) -> Q:
    """Q for assignments to, or from, an organization in the user's subtree."""
    if _sees_everything(user):
        return EVERYTHING
    return unit_filter(user, "organization__unit__") | unit_filter(user, "task__assigner__unit__")


def task_filter(user) -> Q:
    """Q for tasks assigned by an organization in the user's subtree."""
    if _sees_everything(user):
        return EVERYTHING
    return unit_filter(user, "assigner__unit__")


def acts_for(user, organization_id: int | None) -> bool:
    """The user is an editor of that very organization. Superusers see everything but act, like
    everyone, only for their own organization: a task's record says who really did what."""
    membership = membership_of(user)
    return bool(
        membership
        and user.is_active
        and membership.role in EDITOR_ROLES
        and membership.organization_id == organization_id
    )


def is_assigner(user, task) -> bool:
    return acts_for(user, task.assigner_id)


def is_assignee(user, assignment) -> bool:
    return acts_for(user, assignment.organization_id)
