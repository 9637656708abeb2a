"""Outgoing documents (văn bản đi): each issuing organization's style and register, its documents
(`register`), and the certificates its PDFs are signed with (`certificates`)."""

from giaoban.documents.models.certificates import *  # noqa: F403
from giaoban.documents.models.register import *  # noqa: F403
