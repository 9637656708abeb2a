"""The certificate and key each issuing organization signs its PDFs with."""

__all__: list[str] = []
