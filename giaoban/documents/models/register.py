"""The issuing organization's style and its register of outgoing documents."""

__all__: list[str] = []
