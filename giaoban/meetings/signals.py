"""Signals other apps listen to, so that data keeps flowing one way (meetings → followup)."""

from django.dispatch import Signal

#: Sent inside the creating transaction, with `conference` and `actor`.
conference_created = Signal()

#: Sent inside the transaction that changes the conference's status, with `conference` and
#: `actor` (the media app creates and destroys the conference's room on commit).
conference_went_live = Signal()
conference_ended = Signal()

#: Sent inside the transaction of the speaker queue's change, with `request` (the FloorRequest)
#: and `actor` (the media app opens and closes the point's microphone on commit).
floor_granted = Signal()
floor_finished = Signal()
