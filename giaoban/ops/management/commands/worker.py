"""`giaoban worker`: the scheduler and a worker of the background tasks: each app's periodic
tasks (task reminders every REMINDER_INTERVAL seconds, the conversion of ended conferences'
recordings every 30 s) enqueued when due, and every queued task run (ops.worker).

`giaoban serve` runs the same in-process unless given --no-worker; run this command instead
when the app runs as several processes or on several machines. Several workers may run at once.
"""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_tasks import TaskResultStatus

from giaoban.core.tasks import PERIODIC
from giaoban.ops import worker


class Command(BaseCommand):
    help = (
        "Run the background tasks: reminders of task deadlines, in the app and by e-mail, the "
        "conversion of ended conferences' recordings, and any other queued task."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="Enqueue every periodic task now, run all queued tasks, and exit.",
        )
        parser.add_argument(
            "--interval",
            type=int,
            default=None,
            help="Seconds between runs of the reminders (default: REMINDER_INTERVAL, 3600).",
        )

    def handle(self, *args, once, interval, **options):
        if interval is not None:
            if interval < 1:
                raise CommandError(
                    f"--interval={interval}: khoảng thời gian phải từ 1 giây trở lên."
                )
            settings.REMINDER_INTERVAL = interval  # the reminders' schedule reads it
        if once:
            self._once()
            return
        self.stdout.write(
            f"giaoban worker: nhắc việc mỗi {settings.REMINDER_INTERVAL} giây, chuyển đổi bản "
            "ghi hội nghị, các tác vụ nền khác (Ctrl+C để dừng)"
        )
        stop = threading.Event()
        # systemd stops with SIGTERM: the task running ends first, no other is started.
        signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
        try:
            worker.run_every(stop)
        except KeyboardInterrupt:
            stop.set()

    def _once(self) -> None:
        enqueued = worker.schedule(every_one=True)
        worker.run_ready()
        failed = []
        for path, result in enqueued.items():
            result.refresh()
            describe = PERIODIC[path].describe
            if result.status == TaskResultStatus.FAILED:
                failed.append(path)
            elif describe and result.status == TaskResultStatus.SUCCESSFUL:
                self.stdout.write(describe(result.return_value))
        if failed:
            raise CommandError(
                f"Tác vụ thất bại: {', '.join(failed)} "
                "(chi tiết: trang quản trị, Vận hành › Tác vụ nền)."
            )
