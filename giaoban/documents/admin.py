"""The documents admin: the signing certificates (certificate_admin)."""

from giaoban.documents import certificate_admin  # noqa: F401
