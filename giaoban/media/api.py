"""The media endpoints of /api/v1/."""

from ninja import Router

router = Router(tags=["media"])
