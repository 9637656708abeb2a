"""The page that verifies a signed PDF, named `verify` in the "documents" namespace."""

from django.urls import path

from giaoban.documents import verify_views

urlpatterns: list = [
    path("documents/verify/", verify_views.verify, name="verify"),
]
