"""Pages that belong to no domain: home, login, the API's 404."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _


def home(request):
    # Role homes come with the product issue; until then everyone starts at their unit tree.
    return redirect("orgs:unit_tree")


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


@login_not_required
def api_not_found(request):
    return JsonResponse({"error": {"code": "not_found", "message": _("Not found.")}}, status=404)
