"""The documents pages of the verify, named in the "documents" namespace."""

urlpatterns: list = []
