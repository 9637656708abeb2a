"""The live room's WebSocket URL."""

from django.urls import path

from giaoban.meetings.live.consumer import ConferenceConsumer

websocket_urlpatterns = [
    path("ws/conferences/<int:conference_id>/", ConferenceConsumer.as_asgi()),
]
