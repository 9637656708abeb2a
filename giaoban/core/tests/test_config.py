"""Settings are parsed strictly: a bad value stops start-up with a message naming the variable."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from giaoban import config


def test_it_parses_booleans_strictly(monkeypatch):
    monkeypatch.setenv("DEBUG", "yes")
    assert config.env_bool("DEBUG", False) is True
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        config.env_bool("DEBUG", False)


def test_it_refuses_an_empty_host_in_allowed_hosts(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "example.org,,")
    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS"):
        config.env_list("ALLOWED_HOSTS", [])


def test_it_reads_trusted_proxies_as_networks_and_none_by_default(monkeypatch):
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    assert config.env_networks("TRUSTED_PROXIES") == []
    monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1, ::1,10.1.0.0/16")
    assert [str(n) for n in config.env_networks("TRUSTED_PROXIES")] == [
        "127.0.0.1/32",
        "::1/128",
        "10.1.0.0/16",
    ]


@pytest.mark.parametrize("raw", ["*", "nginx", "10.1.0.1/16", "127.0.0.1,,"])
def test_it_refuses_trusted_proxies_that_are_not_addresses(monkeypatch, raw):
    monkeypatch.setenv("TRUSTED_PROXIES", raw)
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        config.env_networks("TRUSTED_PROXIES")


def test_it_refuses_an_unsupported_database(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "mysql://localhost/giaoban")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        config.database(tmp_path)


def test_it_defaults_to_sqlite_in_the_data_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    db = config.database(tmp_path)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(tmp_path / "giaoban.sqlite3")
    # A writer waits for the one before it (BEGIN IMMEDIATE), longer than Python's 5 s default.
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert db["OPTIONS"]["timeout"] == config.SQLITE_BUSY_TIMEOUT_S == 30


def test_it_reads_postgres_from_database_url(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://giaoban@127.0.0.1:5432/giaoban")
    db = config.database(tmp_path)
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert db["NAME"] == "giaoban"


def test_postgres_sessions_come_from_a_checked_pool_that_never_waits_long(monkeypatch, tmp_path):
    # Under ASGI a per-thread connection is never reused: the pool is what keeps sessions open.
    monkeypatch.setenv("DATABASE_URL", "postgres://giaoban@127.0.0.1:5432/giaoban")
    monkeypatch.setenv("DATABASE_POOL_MAX", "7")
    db = config.database(tmp_path)
    assert db["OPTIONS"]["pool"] == {
        "min_size": 2,
        "max_size": 7,
        "timeout": 5.0,
        "reconnect_timeout": 2.0,  # the first request after a restart need not wait
    }
    assert db["CONN_MAX_AGE"] == 0  # Django refuses persistent connections with a pool
    assert db["CONN_HEALTH_CHECKS"] is True  # a dead session is never handed to a request


def test_it_refuses_a_redis_url_that_is_not_one(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "localhost:6379")
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        config.url_or_none("REDIS_URL", {"redis", "rediss"})


def test_it_accepts_several_janus_servers(monkeypatch):
    monkeypatch.setenv("JANUS_URL", "ws://127.0.0.1:8188,ws://127.0.0.1:8189")
    assert len(config.url_list("JANUS_URL", {"ws", "wss"})) == 2
    monkeypatch.setenv("JANUS_URL", "ws://127.0.0.1:8188,janus")
    with pytest.raises(ImproperlyConfigured, match="JANUS_URL"):
        config.url_list("JANUS_URL", {"ws", "wss"})


def test_it_generates_the_secret_key_once_and_keeps_it(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.secret_key(tmp_path)
    assert len(first) >= 50
    assert config.secret_key(tmp_path) == first
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_it_refuses_a_short_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        config.secret_key(tmp_path)


def test_a_bad_setting_stops_the_giaoban_command_with_a_clear_message(tmp_path):
    env = {**os.environ, "GIAOBAN_DATA_DIR": str(tmp_path), "DEBUG": "perhaps"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "giaoban", "check"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "DEBUG='perhaps' is not a boolean" in result.stderr
