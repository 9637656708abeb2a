"""WebSocket routes of every live app, and a close for any other path."""

from django.urls import re_path

from giaoban.core.websocket import NoRoute
from giaoban.meetings.live.routing import websocket_urlpatterns as meetings

websocket_urlpatterns: list = [*meetings, re_path(r"", NoRoute.as_asgi())]
