"""`giaoban janus_config DIR`: write a private Janus configuration and print how to start it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from giaoban.media.janus_conf import JanusConfig, janus_binary, primary_ipv4


class Command(BaseCommand):
    help = "Write a Janus configuration for giaoban into DIR (loopback APIs, own secrets)."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--ws-port", type=int, default=8188)
        parser.add_argument(
            "--events-url",
            default="http://127.0.0.1:8000/media/janus/events/",
            help="where Janus posts media events: this app's /media/janus/events/",
        )
        parser.add_argument("--rtp-ports", default="20000-40000")
        parser.add_argument("--ice-ip", default=None, help="default: the primary IPv4 address")
        parser.add_argument(
            "--app-url",
            default=None,
            help="the URL the app reaches this server by (its media server's WebSocket URL); "
            "Janus names itself so in its events. Default: ws://127.0.0.1:PORT",
        )
        parser.add_argument(
            "--print-command", action="store_true", help="print only the command line"
        )

    def handle(
        self,
        *args,
        directory,
        ws_port,
        events_url,
        rtp_ports,
        ice_ip,
        app_url,
        print_command,
        **options,
    ):
        if not 1 <= ws_port <= 65535:
            raise CommandError(f"--ws-port {ws_port} is not a port number")
        config = JanusConfig(
            directory=Path(directory).resolve(),
            ws_port=ws_port,
            events_url=events_url,
            rtp_ports=rtp_ports,
            ice_ip=ice_ip or primary_ipv4(),
            app_url=app_url or "",
        )
        config.write()
        if print_command:
            self.stdout.write(" ".join(config.command()))
            return
        if janus_binary() is None:
            self.stderr.write(
                "Janus không được cài đặt (apt-get install janus) / Janus is not installed."
            )
        if not config.ice_ip:
            self.stderr.write(
                "Máy chỉ có giao diện loopback: Janus không kết nối được qua ICE / "
                "this machine has only a loopback interface: ICE cannot connect."
            )
        self.stdout.write(f"Wrote {config.directory}; start Janus with:")
        self.stdout.write("  " + " ".join(config.command()))
        self.stdout.write(f"and point giaoban at it: JANUS_URL={config.url}")
