"""WebSocket routes of every live app."""

from giaoban.meetings.live.routing import websocket_urlpatterns as meetings

websocket_urlpatterns: list = [*meetings]
