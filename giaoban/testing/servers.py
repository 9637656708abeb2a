"""Real `giaoban` processes for the tests that need a server (and for the guided tour): a scratch
environment, commands run in it, and `giaoban serve` on a free port, waited for and stopped.

Nothing here imports pytest at module level: `giaoban tour` uses it outside the test suite.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

#: The test run's own services and secrets, which a scratch process must not inherit.
INHERITED_NOT = {"REDIS_URL", "DATABASE_URL", "GIAOBAN_DATA_DIR", "SECRET_KEY", "JANUS_URL"}
LOGIN = "/accounts/login/"


class ServerError(RuntimeError):
    """A command failed, or a server did not come up; the message ends with its output."""


def skip_or_fail(reason: str):
    """Skip the test for a missing service, except under CI=true, where that is a failure."""
    import pytest

    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (under CI=true this is a failure)")
    pytest.skip(reason)


def clean_env(**extra: str) -> dict:
    """The environment of a `giaoban` subprocess: none of this process's database, Redis, Janus,
    data directory or secret key, unless `extra` sets them."""
    env = {key: value for key, value in os.environ.items() if key not in INHERITED_NOT}
    env |= {"DJANGO_SETTINGS_MODULE": "giaoban.settings", "PYTHONUNBUFFERED": "1"}
    return env | extra


def scratch_env(data_dir: Path, **extra: str) -> dict:
    """`clean_env` for an installation of its own in `data_dir`, on an SQLite file there (the
    test's database is invisible to another process): one process, no Redis, no media."""
    database = f"sqlite:///{data_dir / 'giaoban.sqlite3'}"
    return clean_env(GIAOBAN_DATA_DIR=str(data_dir), DATABASE_URL=database, **extra)


def run_python(env: dict, *args: str, stdin: str | None = None, timeout: int = 120) -> str:
    """`python *args` in `env` (`-m giaoban …`, or `-` with a script on `stdin`); its output."""
    result = subprocess.run(
        [sys.executable, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=stdin,
    )
    if result.returncode != 0:
        raise ServerError(f"{' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def run_json(env: dict, *args: str, stdin: str | None = None, timeout: int = 120):
    """The JSON that `run_python` prints on its last line (a seed script's ids)."""
    return json.loads(run_python(env, *args, stdin=stdin, timeout=timeout).strip().splitlines()[-1])


def migrate(env: dict) -> None:
    run_python(env, "-m", "giaoban", "migrate", "--noinput", "-v", "0")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tail(log: Path | None, chars: int = 3000) -> str:
    return log.read_text(errors="replace")[-chars:] if log and log.exists() else ""


def _answers(port: int, path: str | None) -> bool:
    """Something listens on `port`; with `path`, it answers 200 there."""
    try:
        if path is None:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def wait_until_up(
    port: int,
    process: subprocess.Popen | None = None,
    log: Path | None = None,
    *,
    path: str | None = None,
    timeout: float = 60,
) -> None:
    """Until something answers on `port` (see `_answers`); ServerError with the log's tail when
    `process` stops first or `timeout` seconds pass."""
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        if process is not None and process.poll() is not None:
            raise ServerError(f"the server on port {port} stopped:\n{tail(log)}")
        if _answers(port, path):
            return
        time.sleep(0.1)  # polling for the port to open, not waiting on an assertion
    raise ServerError(f"nothing answered on port {port} within {timeout} s:\n{tail(log)}")


def stop(process: subprocess.Popen, *, sig: int = signal.SIGTERM) -> None:
    """Stop `process` with `sig`, and kill it if it has not ended 10 s later."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Served:
    """One `giaoban serve` process on a port of its own, its output appended to `log`."""

    def __init__(self, env: dict, log: Path, *args: str, port: int | None = None):
        self.env, self.log, self.args = env, log, args
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, *, path: str | None = None, timeout: float = 60) -> "Served":
        """Start and wait until it answers: on its port, or with 200 at `path` if given."""
        command = [sys.executable, "-m", "giaoban", "serve", "--port", str(self.port), *self.args]
        with self.log.open("a") as output:
            self.process = subprocess.Popen(
                command, env=self.env, stdout=output, stderr=subprocess.STDOUT
            )
        try:
            wait_until_up(self.port, self.process, self.log, path=path, timeout=timeout)
        except ServerError:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.process:
            stop(self.process)


@contextlib.contextmanager
def serve(env: dict, log: Path, *args: str, port: int | None = None, timeout: float = 60):
    """`giaoban serve *args` for the length of the block, once its login page answers."""
    served = Served(env, log, *args, port=port).start(path=LOGIN, timeout=timeout)
    try:
        yield served
    finally:
        served.stop()
