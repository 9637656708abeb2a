"""The media pages: the front-end libraries from Debian, recordings, Janus's event endpoint."""

from django.urls import path

from giaoban.media import views

app_name = "media"
urlpatterns = [
    path("media/janus/events/", views.janus_events, name="janus_events"),
    path("media/lib/<str:name>", views.library, name="library"),
    path("media/recordings/<int:pk>/", views.recording_download, name="recording"),
]
