"""The documents endpoints of /api/v1/: the register, drafting and issuing, .docx and PDF."""

from ninja import Router

router = Router(tags=["documents"])
