"""`POST /api/v1/documents/verify`: who signed a PDF, when, and whether it changed since."""

from ninja import Router

router = Router(tags=["documents"])
