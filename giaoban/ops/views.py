"""Health endpoints for load balancers and monitoring: JSON, no login, no session."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from giaoban.ops import health


@login_not_required
@never_cache
@require_GET
def live(request):
    """The process answers: nothing else is checked (a restart would not fix anything else)."""
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def ready(request):
    is_ready, body = health.readiness()
    return JsonResponse(body, status=200 if is_ready else 503)
