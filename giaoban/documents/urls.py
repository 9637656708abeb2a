"""The documents pages: the register and its documents (`register_urls`), verifying a signed PDF
(`verify_urls`)."""

from django.urls import include, path

app_name = "documents"
urlpatterns = [
    path("", include("giaoban.documents.register_urls")),
    path("", include("giaoban.documents.verify_urls")),
]
