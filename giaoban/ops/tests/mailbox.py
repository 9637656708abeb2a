"""E-mail backends for the fault tests: each message delivered is one line in the file MAILBOX.
`HangingBackend` delivers MAILBOX_HANG_AFTER messages, then hangs on the next one (after writing
the file MAILBOX.hanging), so that a test kills a worker while a message is in flight, never in the
instant between a delivery and its record."""

import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class FileBackend(BaseEmailBackend):
    def send_messages(self, messages):
        for message in messages:
            self.before_delivery()
            with open(os.environ["MAILBOX"], "a", encoding="utf-8") as box:
                box.write(f"{','.join(message.to)}\t{message.subject}\n")
                box.flush()
                os.fsync(box.fileno())
        return len(messages)

    def before_delivery(self):
        pass


class HangingBackend(FileBackend):
    def before_delivery(self):
        mailbox = Path(os.environ["MAILBOX"])
        if len(mailbox.read_text().splitlines()) >= int(os.environ["MAILBOX_HANG_AFTER"]):
            Path(f"{mailbox}.hanging").touch()
            time.sleep(600)  # until the test kills the worker
