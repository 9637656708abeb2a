"""The media app's configuration: its signal receivers and periodic tasks are connected here."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    name = "giaoban.media"
    label = "media"
    verbose_name = _("Audio and video")

    def ready(self):
        # Meetings knows nothing of Janus: the room and the microphones follow its signals.
        from giaoban.core import security
        from giaoban.core.tasks import periodic_add
        from giaoban.media import pool, receivers, recordings, tasks
        from giaoban.meetings import signals

        for signal, receiver in [
            (signals.conference_went_live, receivers.conference_went_live),
            (signals.conference_ended, receivers.conference_ended),
            (signals.floor_granted, receivers.floor_changed),
            (signals.floor_finished, receivers.floor_changed),
        ]:
            signal.connect(receiver, dispatch_uid=f"media.{receiver.__name__}.{id(signal)}")
        # A conference's recordings should not wait for the next hour's reminders.
        periodic_add(tasks.recordings_convert, every=recordings.POLL_EVERY)
        # An edge lost is found by the consoles' polls; this, when no console is open.
        periodic_add(tasks.servers_watch, every=tasks.WATCH_EVERY)
        # The pages may connect to every server of the pool (Content-Security-Policy).
        if pool.public_urls not in security.connect_sources:
            security.connect_sources.append(pool.public_urls)
