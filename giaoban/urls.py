"""The site's URLs: pages per app, the API, accounts, admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from giaoban.api import api
from giaoban.core import twofactor_views
from giaoban.core import views as core_views
from giaoban.home import views as home_views

urlpatterns = [
    path("", home_views.home, name="home"),
    path("accounts/login/", twofactor_views.LoginView.as_view(), name="login"),
    path("accounts/two-factor/", include("giaoban.core.twofactor_urls")),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # The language switch also works on the login page.
    # Browsers ask for /favicon.ico on pages that do not link an icon (the admin, the API docs).
    path(
        "favicon.ico",
        login_not_required(RedirectView.as_view(url=static("giaoban/favicon.svg"))),
        name="favicon",
    ),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/", core_views.api_not_found),
    path("", include("giaoban.meetings.file_urls")),
    path("", include("giaoban.orgs.urls")),
    path("", include("giaoban.reporting.urls")),
    path("", include("giaoban.meetings.urls")),
    path("", include("giaoban.followup.urls")),
    path("", include("giaoban.media.urls")),
    path("", include("giaoban.publishing.urls")),
    path("", include("giaoban.documents.urls")),
    path("", include("giaoban.ops.urls")),
    path("", include("giaoban.home.urls")),
]

handler500 = "giaoban.core.views.server_error"
