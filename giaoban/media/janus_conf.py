"""The private configuration of a Janus server run by giaoban: loopback APIs, two plugins, one
transport, the event handler that tells the app about media, and secrets of its own."""

import base64
import hashlib
import hmac
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from django.utils.crypto import salted_hmac

LIBDIR = Path("/usr/lib/x86_64-linux-gnu/janus")
_PLUGINS = ("libjanus_videoroom.so", "libjanus_audiobridge.so", "libjanus_echotest.so")
_TRANSPORTS = ("libjanus_websockets.so",)
_EVENTS = ("libjanus_sampleevh.so",)


def janus_binary() -> str | None:
    return shutil.which("janus") or ("/usr/bin/janus" if Path("/usr/bin/janus").exists() else None)


def secret(purpose: str) -> str:
    """A secret shared by the app and the Janus configs it generates, derived from SECRET_KEY so
    that every server of one deployment agrees without another setting."""
    return salted_hmac(f"giaoban.media.{purpose}", "janus").hexdigest()[:32]


def browser_token(plugins: list[str], seconds: int) -> str:
    """A token Janus checks by itself (token_auth_secret): it opens sessions for `seconds` and
    reaches only `plugins`, so a page that is not a console's cannot use the server at all."""
    data = ",".join([str(int(time.time()) + seconds), "janus", *plugins])
    key = secret("token-auth").encode()
    signature = base64.b64encode(hmac.new(key, data.encode(), hashlib.sha1).digest()).decode()
    return f"{data}:{signature}"


def primary_ipv4() -> str | None:
    """The address ICE must use: Janus offers no loopback candidates, so peers on this machine
    meet on its primary address (packets still stay in the kernel)."""
    try:
        out = subprocess.run(
            ["ip", "-4", "route", "get", "1.1.1.1"], capture_output=True, text=True, timeout=5
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        out = []
    if "src" in out:
        return out[out.index("src") + 1]
    try:  # no default route: whatever non-loopback address the host name has
        address = socket.gethostbyname(socket.gethostname())
    except OSError:
        return None
    return None if address.startswith("127.") else address


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class JanusConfig:
    directory: Path
    ws_port: int
    events_url: str
    rtp_ports: str = "20000-40000"
    ice_ip: str | None = None
    events: bool = True  # the event handler that posts media events to the app
    # How the app reaches this server (MediaServer.url): Janus names itself so in the events
    # it posts ("emitter"), which tells the app which server of the pool an event comes from.
    app_url: str = ""

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.ws_port}"

    def write(self) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        for name, text in self.files().items():
            (self.directory / name).write_text(text, encoding="utf-8")
        return self.directory / "janus.jcfg"

    def command(self) -> list[str]:
        return [
            janus_binary() or "janus",
            "-C",
            str(self.directory / "janus.jcfg"),
            "-F",
            str(self.directory),
        ]

    def files(self) -> dict[str, str]:
        return {
            "janus.jcfg": self._core(),
            "janus.transport.websockets.jcfg": self._websockets(),
            "janus.plugin.videoroom.jcfg": self._videoroom(),
            "janus.plugin.audiobridge.jcfg": _block("general", {"admin_key": secret("admin-key")}),
            "janus.eventhandler.sampleevh.jcfg": self._events(),
        }

    def _core(self) -> str:
        unused = lambda kind, keep: ",".join(  # noqa: E731
            sorted(p.name for p in (LIBDIR / kind).glob("*.so") if p.name not in keep)
        )
        general = {
            "configs_folder": str(self.directory),
            "plugins_folder": str(LIBDIR / "plugins"),
            "transports_folder": str(LIBDIR / "transports"),
            "events_folder": str(LIBDIR / "events"),
            "loggers_folder": str(LIBDIR / "loggers"),
            "debug_level": 3,
            "admin_secret": secret("admin-secret"),
            # Nothing is done without a credential: the app sends the API secret, a browser
            # a token the app signed for it (browser_token), naming the plugins it may use.
            "api_secret": secret("api-secret"),
            "token_auth": True,
            "token_auth_secret": secret("token-auth"),
            "server_name": self.app_url or self.url,
            "session_timeout": 60,
            "reclaim_session_timeout": 0,
            # Recordings go under the app's data directory, which may be under /var.
            "protected_folders": ["/bin", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr"],
        }
        nat = {"ice_enforce_list": self.ice_ip} if self.ice_ip else {}
        return "\n".join(
            [
                _block("general", general),
                _block("media", {"rtp_port_range": self.rtp_ports}),
                _block("nat", nat | {"ice_ignore_list": "vmnet"}),
                _block("plugins", {"disable": unused("plugins", _PLUGINS)}),
                _block("transports", {"disable": unused("transports", _TRANSPORTS)}),
                _block("loggers", {"disable": unused("loggers", ())}),
                _block(
                    "events",
                    {"broadcast": True, "disable": unused("events", _EVENTS), "stats_period": 5},
                ),
            ]
        )

    def _websockets(self) -> str:
        general = {
            "json": "compact",
            "ws": True,
            "ws_port": self.ws_port,
            "ws_ip": "127.0.0.1",
            "wss": False,
        }
        admin = {"admin_ws": False, "admin_wss": False}
        return _block("general", general) + _block("admin", admin)

    def _videoroom(self) -> str:
        general = {"admin_key": secret("admin-key"), "lock_rtp_forward": True, "events": True}
        return _block("general", general)

    def _events(self) -> str:
        general = {
            "enabled": self.events,
            # handles, jsep, webrtc, media, plugin: what tells the app who is up and how well.
            "events": "handles,webrtc,media,plugins",
            "grouping": True,
            "json": "compact",
            "backend": self.events_url,
            "backend_user": "janus",
            "backend_pwd": secret("events"),
            "max_retransmissions": 2,
            "retransmissions_backoff": 100,
        }
        return _block("general", general)


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _block(name: str, values: dict) -> str:
    body = "".join(f"\t{key} = {_value(value)}\n" for key, value in values.items())
    return f"{name}: {{\n{body}}}\n"
