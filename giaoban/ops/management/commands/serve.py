"""`giaoban serve`: HTTP and WebSockets with uvicorn (PORT, default 8000, on 127.0.0.1), and,
unless --no-worker, the background tasks' scheduler and worker in a thread (ops.worker)."""

import logging
import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

#: Seconds an idle HTTP connection is kept open: longer than nginx's upstream keep-alive (60 s).
KEEP_ALIVE_S = 75


class Command(BaseCommand):
    help = "Serve giaoban (HTTP + WebSockets) with uvicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not run the background tasks in this process (run `giaoban worker` instead).",
        )

    def handle(self, *args, host, port, workers, no_worker=False, **options):
        import uvicorn

        from giaoban.meetings.live.consumer import MAX_FRAME_CHARS

        try:
            port_number = int(port)
        except ValueError:
            raise CommandError(f"PORT={port!r} không phải là số cổng.") from None
        if not 0 < port_number < 65536:
            raise CommandError(f"PORT={port_number} nằm ngoài khoảng 1..65535.")
        if not no_worker:
            # The embedded default: the scheduler and a task worker run in a thread of this
            # process, so that one command is the whole installation.
            from giaoban.ops import worker

            worker.start_in_process()
        address = f"http://{host}:{port_number}/"
        if settings.LOGGING["formatters"]["main"].get("()"):  # LOG_FORMAT=json: lines stay JSON
            logging.getLogger("giaoban.serve").warning("giaoban đang chạy tại %s", address)
        else:
            self.stdout.write(f"giaoban đang chạy tại {address}  (Ctrl+C để dừng)")
        uvicorn.run(
            "giaoban.asgi:application",
            host=host,
            port=port_number,
            workers=workers,
            lifespan="off",
            log_level="warning",
            # uvicorn's own records go through Django's LOGGING, so that with LOG_FORMAT=json
            # every line the process writes is JSON.
            log_config=None,
            # uvicorn reads X-Forwarded-For from the same proxies as the app (TRUSTED_PROXIES,
            # giaoban.core.security.client_ip), never from its own FORWARDED_ALLOW_IPS default.
            proxy_headers=bool(settings.TRUSTED_PROXIES),
            forwarded_allow_ips=[str(net) for net in settings.TRUSTED_PROXIES],
            # Protocol pings find a bridge point whose network died without closing its socket;
            # with the consoles' own pings this shows it offline within about ten seconds.
            ws_ping_interval=5,
            ws_ping_timeout=5,
            # The live room's largest message in UTF-8 (4 bytes a character at most): a bigger
            # frame is closed (1009) before it is read, or decompressed, past this; the live
            # room refuses smaller oversized ones with a message. Was 1 MiB: a script's 2 MB
            # frame of one letter, compressed to 2 KB, was inflated to 1 MiB before the close.
            ws_max_size=4 * MAX_FRAME_CHARS,
            # An idle keep-alive connection is closed by the client or by nginx (its upstream
            # keepalive_timeout, 60 s), never by us first: uvicorn's 5 s default closed
            # connections a client was reusing at that moment, whose request then failed
            # (nginx answers 502 to a POST it cannot retry; bench.briefing saw ReadError).
            timeout_keep_alive=KEEP_ALIVE_S,
        )
