"""Media pages and files: Janus's event handler posting its events, the Debian-packaged
front-end libraries, and recordings for those allowed."""

import hmac
import json
import logging
from base64 import b64decode
from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseForbidden
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from giaoban.core.db import retry_locked
from giaoban.core.files import protected_file_response
from giaoban.media import events
from giaoban.media.janus_conf import secret
from giaoban.media.models import Recording
from giaoban.meetings.access import conference_role

log = logging.getLogger("giaoban.media")

#: Served from Debian's packages (libjs-janus-gateway, libjs-webrtc-adapter), never copied here.
LIBRARIES = {
    "janus.js": Path("/usr/share/javascript/janus-gateway/janus.js"),
    "adapter.js": Path("/usr/share/javascript/webrtc-adapter/adapter.js"),
}


def _janus_authorised(request) -> bool:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return False
    try:
        user, _sep, password = b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return False
    return user == "janus" and hmac.compare_digest(password, secret("events"))


@csrf_exempt
@login_not_required
@require_POST
def janus_events(request):
    """Janus's sample event handler posts here (HTTP basic auth with a secret of the app)."""
    if not _janus_authorised(request):
        return HttpResponseForbidden("forbidden")
    try:
        batch = json.loads(request.body)
    except ValueError:
        return HttpResponse(status=400)
    retry_locked(events.handle_events)(batch if isinstance(batch, list) else [batch])
    return HttpResponse(status=204)


@login_not_required
@require_GET
def library(request, name: str):
    path = LIBRARIES.get(name)
    if path is None or not path.exists():
        raise Http404(_("This library is not installed on the server."))
    response = FileResponse(path.open("rb"), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def recording_download(request, pk: int):
    recording = Recording.objects.select_related("conference").filter(pk=pk).first()
    role = conference_role(request.user, recording.conference) if recording else None
    if role is None or role.kind == "viewer":
        raise Http404(_("No such recording, or you may not have it."))
    return protected_file_response(
        recording.file,
        content_type=recording.content_type,
        name=recording.name,
        missing=_("The recording's file is missing."),
    )
