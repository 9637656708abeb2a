"""E-mail backends for the fault tests: each message delivered is one line in the file MAILBOX.
`SlowBackend` takes a while per message, so that a worker can be killed in the middle."""

import os
import time

from django.core.mail.backends.base import BaseEmailBackend


class FileBackend(BaseEmailBackend):
    delay = 0.0

    def send_messages(self, messages):
        for message in messages:
            time.sleep(self.delay)
            with open(os.environ["MAILBOX"], "a", encoding="utf-8") as box:
                box.write(f"{','.join(message.to)}\t{message.subject}\n")
                box.flush()
                os.fsync(box.fileno())
        return len(messages)


class SlowBackend(FileBackend):
    delay = 0.4
