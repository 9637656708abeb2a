"""`giaoban worker`: run the scheduled jobs: task reminders every REMINDER_INTERVAL seconds, and
the steps other apps add (the conversion of ended conferences' recordings, every 30 s).

`giaoban serve` runs the same job in-process unless given --no-worker; run this command instead
when the app runs as several processes or on several machines. Several workers may run at once.
"""

import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from giaoban.followup import jobs


class Command(BaseCommand):
    help = (
        "Run the scheduled jobs: reminders of task deadlines, in the app and by e-mail, and the "
        "conversion of ended conferences' recordings."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run once and exit.")
        parser.add_argument(
            "--interval",
            type=int,
            default=None,
            help="Seconds between runs (default: REMINDER_INTERVAL, 3600).",
        )

    def handle(self, *args, once, interval, **options):
        interval = settings.REMINDER_INTERVAL if interval is None else interval
        if interval < 1:
            raise CommandError(f"--interval={interval}: khoảng thời gian phải từ 1 giây trở lên.")
        if once:
            run = jobs.run_once()
            self.stdout.write(
                f"Nhắc việc: {run.created} thông báo mới, {run.emailed} thư đã gửi, "
                f"{run.skipped} bỏ qua."
            )
            return
        self.stdout.write(
            f"giaoban worker: nhắc việc mỗi {interval} giây, chuyển đổi bản ghi hội nghị "
            "(Ctrl+C để dừng)"
        )
        stop = threading.Event()
        try:
            jobs.run_every(interval, stop)
        except KeyboardInterrupt:
            stop.set()
