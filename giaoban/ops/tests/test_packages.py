"""scripts/debian-packages.sh, which `make demo` and `make test` use for Janus and Chromium: it
installs where the machine lets it (root, sudo with no password) and otherwise prints the exact
command for this machine and lets the caller go on. Run against stand-in apt-get, dpkg-query, id
and sudo on a PATH of their own."""

import os
import subprocess
from pathlib import Path
from types import SimpleNamespace

from giaoban.ops.tests.helpers import ROOT

SCRIPT = ROOT / "scripts" / "debian-packages.sh"
JANUS = ["janus", "janus-tools", "libjs-janus-gateway", "libjs-webrtc-adapter"]


def _stand_ins(tmp_path: Path, *, uid: int, sudo: str | None, installed=()) -> Path:
    """A bin directory: the real sh and grep, and stand-ins that log what they were asked."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    for real in ("sh", "grep"):
        (bin_dir / real).symlink_to(f"/bin/{real}")
    scripts = {
        "id": f"echo {uid}",
        "apt-get": f'echo "apt-get $*" >> {log}',
        "service": f'echo "service $*" >> {log}',
        "dpkg-query": 'for p in {}; do [ "$p" = "${{@: -1}}" ] && echo -n "install ok installed"'
        " && exit 0; done; exit 1".format(" ".join(installed) or "none"),
    }
    if sudo == "passwordless":
        scripts["sudo"] = f'[ "$1" = -n ] && shift; echo "sudo $*" >> {log}; "$@"'
    elif sudo == "asks":
        scripts["sudo"] = '[ "$1" = -n ] && exit 1; exit 1'
    for name, body in scripts.items():
        path = bin_dir / name
        path.write_text(f"#!/bin/bash\n{body}\n")
        path.chmod(0o755)
    return bin_dir


def _run(tmp_path, *args, **machine):
    bin_dir = _stand_ins(tmp_path, **machine)
    env = {"PATH": str(bin_dir), "HOME": os.environ.get("HOME", "/root")}
    result = subprocess.run(
        ["/bin/bash", str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=30
    )
    log = tmp_path / "calls.log"
    return result, log.read_text() if log.exists() else ""


def test_as_root_it_installs_the_missing_packages_and_stops_the_system_janus(tmp_path):
    result, calls = _run(tmp_path, *JANUS, uid=0, sudo=None, installed=["janus-tools"])
    assert result.returncode == 0, result.stderr
    assert "apt-get update" in calls
    assert "apt-get install -y -q janus libjs-janus-gateway libjs-webrtc-adapter" in calls
    assert "service janus stop" in calls


def test_with_sudo_that_asks_no_password_it_installs_through_sudo(tmp_path):
    result, calls = _run(tmp_path, *JANUS, uid=1000, sudo="passwordless")
    assert result.returncode == 0, result.stderr
    assert "sudo sh -c apt-get update" in calls
    assert "apt-get install -y -q janus janus-tools" in calls


def test_without_sudo_it_installs_nothing_and_prints_the_su_command(tmp_path):
    result, calls = _run(tmp_path, "janus", "chromium", uid=1000, sudo=None)
    assert result.returncode == 1
    assert calls == ""
    install = "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q"
    command = f"su -c '{install} janus chromium'"
    assert f"To install them on this machine: {command}" in result.stdout
    assert f"Lệnh cài trên máy này: {command}" in result.stdout
    assert "sudo" not in result.stdout


def test_with_sudo_that_asks_a_password_it_prints_the_sudo_command(tmp_path):
    result, calls = _run(tmp_path, "janus", uid=1000, sudo="asks")
    assert result.returncode == 1
    assert calls == ""
    assert "sudo sh -c 'apt-get update -q && " in result.stdout


def test_nothing_missing_nothing_done(tmp_path):
    result, calls = _run(tmp_path, "janus", uid=0, sudo=None, installed=["janus"])
    assert (result.returncode, result.stdout, calls) == (0, "", "")


def test_print_only_names_the_command_and_installs_nothing(tmp_path):
    result, calls = _run(tmp_path, "--print", "chromium", uid=0, sudo=None)
    assert result.returncode == 0
    assert calls == ""
    expected = "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium"
    assert result.stdout.strip() == expected


def test_make_demo_and_make_test_go_through_it():
    makefile = (ROOT / "Makefile").read_text()
    assert "bash scripts/debian-packages.sh $(JANUS_PACKAGES)" in makefile
    services = (ROOT / "scripts" / "ensure-services.sh").read_text()
    assert 'debian-packages.sh" chromium janus' in services


class _Reporter:
    """What pytest_terminal_summary uses of pytest's terminal reporter."""

    def __init__(self, skipped):
        self.stats = {"skipped": skipped}
        self.lines = []

    def section(self, title):
        self.lines.append(f"== {title} ==")

    def write_line(self, line):
        self.lines.append(line)


def test_a_run_with_skips_ends_naming_them_and_the_command_that_runs_them(monkeypatch):
    import conftest

    monkeypatch.setattr(conftest, "TEST_PACKAGES", ["chromium", "giaoban-not-a-package"])
    skip = SimpleNamespace(
        nodeid="giaoban/media/tests/test_browser.py::test_it",
        longrepr=("giaoban/testing/browser.py", 38, "Skipped: /usr/bin/chromium is missing"),
    )
    reporter = _Reporter([skip])
    conftest.pytest_terminal_summary(reporter)
    assert reporter.lines[0] == "== 1 skipped: what did not run, and why =="
    assert reporter.lines[1] == (
        "giaoban/media/tests/test_browser.py::test_it: /usr/bin/chromium is missing"
    )
    assert "install -y -q giaoban-not-a-package" in reporter.lines[2]
    assert reporter.lines[2].startswith("To run them, install what this machine lacks: ")


def test_a_run_without_skips_adds_nothing():
    import conftest

    reporter = _Reporter([])
    conftest.pytest_terminal_summary(reporter)
    assert reporter.lines == []
