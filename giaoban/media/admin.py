"""The media servers of the pool, edited by the administrator; read-only views of what Janus
reported: rooms, streams, relays, tests and recordings are written by the services and Janus's
events, never by hand (the room secret is not shown). A recordings conversion that failed for
good may be queued again once its cause is fixed."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from giaoban.media import pool
from giaoban.media.models import (
    JobState,
    MediaPeer,
    MediaRelay,
    MediaRoom,
    MediaServer,
    MediaTest,
    Recording,
    RecordingJob,
)


@admin.register(MediaServer)
class MediaServerAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "public_url", "region", "capacity", "enabled"]
    list_filter = ["enabled"]
    list_editable = ["enabled"]
    search_fields = ["name", "url", "region"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        pool.forget()  # the pages' CSP names the new address at once


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MediaRoom)
class MediaRoomAdmin(ReadOnly):
    list_display = ["conference", "server", "role", "room", "state", "checked_at", "closed_at"]
    list_filter = ["state", "role"]
    exclude = ["secret"]


@admin.register(MediaPeer)
class MediaPeerAdmin(ReadOnly):
    list_display = [
        "point",
        "server",
        "up",
        "audio_muted",
        "receiving_audio",
        "receiving_video",
        "quality",
    ]
    list_filter = ["up", "audio_muted", "server"]


@admin.register(MediaRelay)
class MediaRelayAdmin(ReadOnly):
    list_display = ["point", "source", "target", "created_at"]


@admin.register(MediaTest)
class MediaTestAdmin(ReadOnly):
    list_display = ["point", "at", "passed", "round_trip_ms", "packet_loss", "frames_received"]
    list_filter = ["passed"]


@admin.register(Recording)
class RecordingAdmin(ReadOnly):
    list_display = ["name", "conference", "point", "content_type", "size", "created_at"]


@admin.register(RecordingJob)
class RecordingJobAdmin(ReadOnly):
    list_display = ["conference", "state", "attempts", "claimed_at", "finished_at"]
    list_filter = ["state"]
    exclude = ["claim"]
    actions = ["convert_again"]

    def has_convert_again_permission(self, request):
        return request.user.has_perm("media.change_recordingjob")

    @admin.action(description=_("Convert again"), permissions=["convert_again"])
    def convert_again(self, request, queryset):
        # The worker takes them on its next run; a running one is left to its worker.
        count = queryset.filter(state=JobState.FAILED).update(
            state=JobState.PENDING, attempts=0, claimed_at=None, finished_at=None
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d conversion queued again.", "%(count)d conversions queued again.", count
            )
            % {"count": count},
        )
