"""Signals other apps listen to, so that data keeps flowing one way (meetings → followup)."""

from django.dispatch import Signal

#: Sent inside the creating transaction, with `conference` and `actor`.
conference_created = Signal()
