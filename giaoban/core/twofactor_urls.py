"""URLs of the two-factor login, under /accounts/two-factor/."""

from django.urls import path

from giaoban.core import twofactor_views as views

urlpatterns = [
    path("", views.account, name="two_factor"),
    path("enrol/", views.enroll, name="two_factor_enroll"),
    path("verify/", views.verify, name="two_factor_verify"),
]
