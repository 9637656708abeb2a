"""The follow-up app's configuration: its receivers and periodic reminders are connected here."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "giaoban.followup"
    label = "followup"
    verbose_name = _("Follow-up")

    def ready(self):
        # Meetings knows nothing of tasks: the review item of the next briefing is added here,
        # in the transaction that creates the conference.
        from giaoban.followup import receivers
        from giaoban.meetings.signals import conference_created

        conference_created.connect(receivers.review_item_add, dispatch_uid="followup.review_item")
        self._schedule()

    @staticmethod
    def _schedule():
        from django.conf import settings

        from giaoban.core.tasks import periodic_add
        from giaoban.followup import tasks

        # Read at each look: REMINDER_INTERVAL may be changed (worker --interval, tests).
        periodic_add(
            tasks.reminders_send,
            every=lambda: settings.REMINDER_INTERVAL,
            describe=tasks.reminders_describe,
        )
