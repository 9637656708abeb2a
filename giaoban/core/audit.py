"""Recording changes: services call `audit_record` inside their transaction."""

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from giaoban.core.models import AuditEntry


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of a record as JSON-safe values, for the before/after of an audit entry."""
    raw = {name: getattr(instance, name) for name in fields}
    return json.loads(json.dumps(raw, cls=DjangoJSONEncoder))


def audit_record(*, actor, action: str, instance: models.Model, before=None, after=None):
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        before=before,
        after=after,
    )
