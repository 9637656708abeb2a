"""Shared plumbing: text normalization, errors, audit log, API tokens, access middleware."""
