from django.urls import path

from giaoban.meetings.consumers import ConferenceConsumer

websocket_urlpatterns = [
    path("ws/conferences/<int:conference_id>/", ConferenceConsumer.as_asgi()),
]
