"""Who may see and write outgoing documents, built on giaoban.orgs.access (the one place that
decides who sees which unit).

A user sees the documents of the organizations in their unit's subtree, and the issued documents
sent to their own organization. An editor (administrator, leader, officer) of an organization's
unit or of a unit above it drafts, edits and issues that organization's documents: a district
officer cannot issue for the province.
"""

from django.db.models import Q

from giaoban.orgs.access import EVERYTHING, membership_of, unit_filter
from giaoban.orgs.models import EDITOR_ROLES


def document_filter(user) -> Q:
    """Q for the documents the user may see."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return EVERYTHING
    seen = unit_filter(user, "organization__unit__")
    membership = membership_of(user)
    if membership is not None and user.is_active:
        sent = Q(status="issued", recipients=membership.organization_id)
        return seen | Q(pk__in=_ids(sent))
    return seen


def _ids(condition: Q):
    from giaoban.documents.models import Document

    return Document.objects.filter(condition).values("pk")


def may_write(user, organization) -> bool:
    """`user` (None: the system) may draft, edit and issue `organization`'s documents."""
    if user is None:
        return True
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    membership = membership_of(user)
    return bool(
        membership
        and user.is_active
        and membership.role in EDITOR_ROLES
        and organization.unit.path.startswith(membership.organization.unit.path)
    )
