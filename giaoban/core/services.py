"""Writes for the core app: API tokens."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from giaoban.core.audit import audit_record
from giaoban.core.errors import ApplicationError
from giaoban.core.models import ApiToken


@transaction.atomic
def token_create(*, username: str, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
    """Issue a token for a user; returns the row and the raw token, which is never stored."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ApplicationError(_("No active user named “%(name)s”.") % {"name": username})
    if days is not None and days < 1:
        raise ApplicationError(_("A token must be valid for at least one day."))
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        digest=ApiToken.digest_of(raw),
        prefix=raw[3:9],
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    audit_record(actor=None, action="token.create", instance=token, after={"user": username})
    return token, raw


@transaction.atomic
def token_revoke(*, prefix: str) -> int:
    tokens = list(ApiToken.objects.usable().filter(prefix=prefix))
    for token in tokens:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=None, action="token.revoke", instance=token)
    return len(tokens)
