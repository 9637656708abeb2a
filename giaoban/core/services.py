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


#: What `token revoke` needs at least: the part of a token that is stored in clear (`prefix`).
PREFIX_LENGTH = 6


def _token_to_revoke(start: str) -> ApiToken:
    """The one usable token that `start` names: the whole token, or any start of it at least as
    long as the stored prefix, with or without `gb_`. Only the prefix is stored in clear, so a
    start is checked against it; two tokens sharing it need the whole token."""
    text = start.strip()
    rest = text.removeprefix("gb_")
    whole = ApiToken.objects.usable().filter(digest=ApiToken.digest_of("gb_" + rest)).first()
    if whole is not None:
        return whole
    if len(rest) < PREFIX_LENGTH:
        raise ApplicationError(
            _("Give the token, or at least its %(count)d characters after “gb_”.")
            % {"count": PREFIX_LENGTH}
        )
    found = list(ApiToken.objects.usable().filter(prefix=rest[:PREFIX_LENGTH])[:2])
    if not found:
        raise ApplicationError(_("No usable token starts with “%(start)s”.") % {"start": text})
    if len(found) > 1:
        raise ApplicationError(
            _("Several tokens start with “%(start)s”: give the whole token.") % {"start": text}
        )
    return found[0]


@transaction.atomic
def token_revoke(*, start: str) -> ApiToken:
    """Revoke the token named by `start` (see _token_to_revoke); refuses an ambiguous start."""
    token = _token_to_revoke(start)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=None, action="token.revoke", instance=token)
    return token


def token_list(*, username: str) -> list[ApiToken]:
    """Every token of a user, newest first, revoked and expired ones included."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise ApplicationError(_("No user named “%(name)s”.") % {"name": username})
    return list(ApiToken.objects.filter(user=user).order_by("-created_at", "-pk"))
