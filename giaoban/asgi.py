"""The one ASGI application: HTTP through Django, WebSockets through Channels."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giaoban.settings")

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.core.asgi import get_asgi_application

django_application = get_asgi_application()

from django.conf import settings  # noqa: E402

from giaoban.core.admission import HttpAdmission, WebsocketAdmission  # noqa: E402
from giaoban.core.twofactor import TwoFactorWebSocketGuard  # noqa: E402
from giaoban.core.websocket import OriginValidator  # noqa: E402
from giaoban.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": HttpAdmission(
            django_application, limit=settings.HTTP_CONCURRENCY, wait_s=settings.HTTP_QUEUE_WAIT
        ),
        "websocket": WebsocketAdmission(
            AllowedHostsOriginValidator(
                OriginValidator(
                    AuthMiddlewareStack(TwoFactorWebSocketGuard(URLRouter(websocket_urlpatterns)))
                )
            )
        ),
    }
)
