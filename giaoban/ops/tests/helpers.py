"""Real servers for the operations tests: the `giaoban` command in a subprocess, a PostgreSQL
cluster and a Redis of the test's own (which the fault tests stop and restart: the machine's
shared servers are never touched), app processes, and nginx with the deploy/ configuration.

A missing program skips the test with the reason, except under CI=true, where it fails.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from giaoban.testing.servers import (
    Served,
    clean_env,
    free_port,
    skip_or_fail,
    stop,
    wait_until_up,
)

ROOT = Path(__file__).resolve().parents[3]
SECRET = "ops-test-secret-key-that-is-long-enough-0123456789"


def _pg_bin() -> Path:
    """PG_BIN, or the newest PostgreSQL installed from Debian's packages."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    return found[-1] if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _pg_bin()


def base_env(extra: dict) -> dict:
    """The environment of a `giaoban` subprocess (`clean_env`) with the ops tests' secret key."""
    return clean_env(SECRET_KEY=SECRET) | extra


def run(command: list[str], *, env: dict, ok: bool = True, timeout: int = 180) -> str:
    result = subprocess.run(
        command, env=base_env(env), capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )
    output = result.stdout + result.stderr
    if ok:
        assert result.returncode == 0, output[-4000:]
    else:
        assert result.returncode != 0, output[-4000:]
    return output


def giaoban(*args: str, env: dict, ok: bool = True) -> str:
    return run([sys.executable, "-m", "giaoban", *args], env=env, ok=ok)


def python(code: str, *, env: dict) -> str:
    return run([sys.executable, "-c", code], env=env)


# --- PostgreSQL --------------------------------------------------------------------------------


def _maintenance(url: str) -> str:
    return url.rsplit("/", 1)[0] + "/postgres"


@contextlib.contextmanager
def scratch_database(server_url: str, name: str):
    """A new, empty database on the server, dropped afterwards; yields its URL."""
    import psycopg

    name = f"{name}_{os.getpid()}"
    with psycopg.connect(_maintenance(server_url), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(_maintenance(server_url), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class PostgresCluster:
    """A PostgreSQL cluster of the test's own, in a temporary directory on a free port. The
    directory is not pytest's: run as root, the cluster belongs to postgres, who cannot enter
    pytest's private directories."""

    def __init__(self):
        if not (PG_BIN / "initdb").exists():
            skip_or_fail(f"PostgreSQL's programs are not in {PG_BIN} (set PG_BIN)")
        self.directory = Path(tempfile.mkdtemp(prefix="giaoban-ops-pg-"))
        self.data = self.directory / "data"
        self.port = free_port()
        self.user = "postgres" if os.geteuid() == 0 else None
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/giaoban"

    def _as_owner(self, *command: str, check=True) -> subprocess.CompletedProcess:
        # initdb and postgres refuse to run as root: run them as the postgres user.
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        return subprocess.run(
            [*prefix, *command], capture_output=True, text=True, timeout=120, check=check
        )

    def init(self) -> "PostgresCluster":
        if self.user:
            shutil.chown(self.directory, self.user)
        self._as_owner(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
            "--no-sync", "-E", "UTF8", "--locale", "C.UTF-8",
        )  # fmt: skip
        self.start()
        self._as_owner(
            str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
            "postgres", "giaoban",
        )  # fmt: skip
        return self

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} -c fsync=off"
        self._as_owner(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-t", "60",
            "-l", str(self.directory / "postgres.log"), "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._as_owner(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False
        )

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture
def own_postgres():
    cluster = PostgresCluster().init()
    yield cluster
    cluster.remove()


# --- Redis -------------------------------------------------------------------------------------


class RedisServer:
    """A redis-server of the test's own on a free port, without persistence: a restart loses
    everything, as a crashed Redis would."""

    def __init__(self, directory: Path):
        self.binary = shutil.which("redis-server")
        if not self.binary:
            skip_or_fail("redis-server is not installed")
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        log = self.directory / "redis.log"
        options = f"--port {self.port} --bind 127.0.0.1 --appendonly no --dir {self.directory}"
        self.process = subprocess.Popen(
            [self.binary, *options.split(), "--save", "", "--logfile", str(log)]
        )
        wait_until_up(self.port, self.process, log)
        return self

    def kill(self) -> None:
        if self.process:
            stop(self.process, sig=signal.SIGKILL)


@pytest.fixture
def own_redis(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.kill()


# --- app processes -----------------------------------------------------------------------------


class App(Served):
    """One `giaoban serve` process in the ops tests' environment (`base_env`)."""

    def __init__(self, env: dict, log: Path, *extra: str):
        super().__init__(base_env(env), log, *extra)


# --- nginx -------------------------------------------------------------------------------------

SITE = ROOT / "deploy" / "nginx" / "giaoban.conf"


def render_site(replacements: dict[str, str]) -> str:
    """deploy/nginx/giaoban.conf with its production values replaced; each must be there, so
    that the test notices when the shipped file changes under it."""
    text = SITE.read_text()
    for old, new in replacements.items():
        assert old in text, f"{old!r} is no longer in {SITE}"
        text = text.replace(old, new)
    return text


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "fullchain.pem", directory / "privkey.pem"
    request = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=giaoban.example.gov.vn"
    subprocess.run(
        [*request.split(" "), "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


class Nginx:
    """nginx with its own prefix and configuration (never the system's), in the foreground."""

    def __init__(self, directory: Path, site: str):
        self.binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(self.binary).exists():
            skip_or_fail("nginx is not installed")
        self.directory = directory
        (directory / "logs").mkdir(parents=True, exist_ok=True)
        (directory / "giaoban.conf").write_text(site)
        # As root, workers would drop to nobody, who cannot read pytest's private directories.
        user = "user root;\n" if os.geteuid() == 0 else ""
        (directory / "nginx.conf").write_text(
            f"{user}worker_processes 1;\npid {directory}/nginx.pid;\n"
            f"error_log {directory}/logs/error.log warn;\n"
            "events { worker_connections 256; }\n"
            "http {\n  include /etc/nginx/mime.types;\n"
            f"  access_log {directory}/logs/access.log;\n"
            + "".join(
                f"  {kind}_temp_path {directory}/{kind};\n"
                for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
            )
            + f"  include {directory}/giaoban.conf;\n}}\n"
        )
        self.process: subprocess.Popen | None = None

    def command(self, *args: str) -> list[str]:
        return [self.binary, "-p", str(self.directory), "-c", str(self.directory / "nginx.conf")]

    def test_config(self) -> str:
        result = subprocess.run([*self.command(), "-t"], capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        return result.stderr

    def start(self, port: int) -> "Nginx":
        self.process = subprocess.Popen(
            [*self.command(), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=(self.directory / "logs" / "stderr.log").open("w"),
        )
        wait_until_up(port, self.process, self.directory / "logs" / "error.log")
        return self

    def stop(self) -> None:
        if self.process:
            stop(self.process, sig=signal.SIGQUIT)
