"""WebSocket routes; the live-room apps add theirs here."""

websocket_urlpatterns: list = []
