"""Pages that belong to no domain: home, login, the API's 404, the server's error pages."""

import logging
import sys

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import defaults

from giaoban.core import admission
from giaoban.core.db import database_busy

log = logging.getLogger("giaoban.core")


def home(request):
    # Role homes come with the product issue; until then everyone starts at their unit tree.
    return redirect("orgs:unit_tree")


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


@login_not_required
def api_not_found(request):
    return JsonResponse({"error": {"code": "not_found", "message": _("Not found.")}}, status=404)


def server_error(request):
    """handler500: a database too busy to give a session in time is an overload the user can
    wait out (503, Retry-After), not a broken server; anything else is Django's 500 page."""
    if database_busy(sys.exc_info()[1]):
        return busy_response(request.path)
    return defaults.server_error(request)


def busy_response(path: str) -> HttpResponse:
    body, content_type = admission.busy_response_parts(path)
    response = HttpResponse(body, status=503, content_type=content_type.decode())
    response["Retry-After"] = str(admission.RETRY_AFTER_S)
    response["Cache-Control"] = "no-store"
    return response
