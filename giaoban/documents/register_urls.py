"""The documents pages of the register, named in the "documents" namespace."""

urlpatterns: list = []
