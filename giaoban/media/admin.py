"""Read-only views of what Janus reported: rooms, streams, tests and recordings are written by the
services and Janus's events, never by hand (the room secret is not shown)."""

from django.contrib import admin

from giaoban.media.models import MediaPeer, MediaRoom, MediaTest, Recording


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MediaRoom)
class MediaRoomAdmin(ReadOnly):
    list_display = ["conference", "server", "room", "state", "checked_at", "closed_at"]
    list_filter = ["state"]
    exclude = ["secret"]


@admin.register(MediaPeer)
class MediaPeerAdmin(ReadOnly):
    list_display = ["point", "up", "audio_muted", "receiving_audio", "receiving_video", "quality"]
    list_filter = ["up", "audio_muted"]


@admin.register(MediaTest)
class MediaTestAdmin(ReadOnly):
    list_display = ["point", "at", "passed", "round_trip_ms", "packet_loss", "frames_received"]
    list_filter = ["passed"]


@admin.register(Recording)
class RecordingAdmin(ReadOnly):
    list_display = ["name", "conference", "point", "content_type", "size", "created_at"]
