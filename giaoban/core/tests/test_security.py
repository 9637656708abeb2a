"""The hardened surface: security headers, HTTPS settings, CSRF on pages and on the API, API token
limits, expiry and revocation, the login lock-out, and the live room's Origin check."""

import ipaddress
import logging
import os
import subprocess
import sys
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from giaoban.core.models import ApiToken
from giaoban.core.services import token_create

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/14"  # a database of its own


# django-ratelimit counts in fixed windows whose end depends on the key; a test that straddles one
# would start counting afresh. Its clock is held still for every test here (and in the process
# that counts elsewhere, below), so the counts are exact.
FROZEN_NOW = 1_790_000_000


@pytest.fixture(autouse=True)
def _fresh_counters(monkeypatch):
    import django_ratelimit.core

    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: FROZEN_NOW))
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def bob_token(bob):
    return token_create(username="bob")[1]


def _bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parts = (part.strip().split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parts}


# Headers ---------------------------------------------------------------------------------------


def test_it_sends_a_strict_content_security_policy(client):
    csp = _directives(client.get(reverse("login")))
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    everything = " ".join(value for values in csp.values() for value in values)
    assert "unsafe" not in everything


def test_connect_src_allows_the_live_rooms_websocket_on_the_same_host_only(client):
    csp = _directives(client.get(reverse("login"), HTTP_HOST="localhost"))
    assert csp["connect-src"] == ["'self'", "ws://localhost", "wss://localhost"]


def test_connect_src_allows_the_janus_server_when_one_is_set(client, settings):
    settings.JANUS_BROWSER_URL = "wss://janus.example.vn/janus"
    csp = _directives(client.get(reverse("login")))
    assert "wss://janus.example.vn/janus" in csp["connect-src"]


def test_it_sends_the_other_security_headers(client):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response["Permissions-Policy"]
    assert "camera=(self)" in policy
    assert "microphone=(self)" in policy
    assert "geolocation=()" in policy


def test_the_api_answers_carry_the_headers_too(client, tree, bob_token):
    response = client.get("/api/v1/people/", **_bearer(bob_token))
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_session_csrf_and_language_cookies_are_http_only(client, bob):
    response = client.post(
        reverse("login"), {"username": "bob", "password": "correct-horse-42"}, follow=False
    )
    assert response.status_code == 302
    assert response.cookies["sessionid"]["httponly"]
    page = client.get(reverse("password_change"))
    assert page.cookies["csrftoken"]["httponly"]
    assert page.cookies["csrftoken"]["samesite"] == "Lax"
    switched = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert switched.cookies["django_language"]["httponly"]


def _settings_under(env: dict) -> dict:
    """The security settings as a fresh process reads them from the environment."""
    code = (
        "import json; from giaoban import settings as s; print(json.dumps({k: getattr(s, k) "
        "for k in ['SECURE_SSL_REDIRECT', 'SECURE_PROXY_SSL_HEADER', 'SECURE_HSTS_SECONDS', "
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'TWO_FACTOR_REQUIRED_ROLES', "
        "'API_TOKEN_RATE']}))"
    )
    cleaned = {k: v for k, v in os.environ.items() if k not in {"HTTPS", "SECURE_COOKIES"}}
    result = subprocess.run(
        [sys.executable, "-c", code], env={**cleaned, **env}, capture_output=True, text=True
    )
    if result.returncode:
        return {"error": result.stderr.strip().splitlines()[-1]}
    import json

    return json.loads(result.stdout)


def test_https_true_turns_on_redirect_hsts_and_secure_cookies(tmp_path):
    values = _settings_under({"HTTPS": "true", "GIAOBAN_DATA_DIR": str(tmp_path)})
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True


def test_without_https_nothing_trusts_a_forwarded_header(tmp_path):
    values = _settings_under({"GIAOBAN_DATA_DIR": str(tmp_path)})
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["SECURE_HSTS_SECONDS"] == 0


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"HTTPS": "maybe"}, "HTTPS"),
        ({"TWO_FACTOR_REQUIRED_ROLES": "admin,boss"}, "TWO_FACTOR_REQUIRED_ROLES"),
        ({"API_TOKEN_RATE": "600 per minute"}, "API_TOKEN_RATE"),
        ({"API_TOKEN_FAILURES": "0/m"}, "API_TOKEN_FAILURES"),
        ({"TRUSTED_PROXIES": "*"}, "TRUSTED_PROXIES"),
    ],
)
def test_a_bad_security_setting_stops_start_up_naming_it(tmp_path, env, named):
    values = _settings_under({**env, "GIAOBAN_DATA_DIR": str(tmp_path)})
    assert "ImproperlyConfigured" in values["error"]
    assert named in values["error"]


def test_behind_tls_plain_http_is_redirected_and_https_gets_hsts(settings, tree, bob):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    client = Client()
    plain = client.get(reverse("login"))
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")
    secure = client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000"


# CSRF ------------------------------------------------------------------------------------------


def test_a_page_write_without_the_csrf_token_is_refused(tree, bob):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    response = client.post(reverse("orgs:person_create"), {"full_name": "Giàng A Páo"})
    assert response.status_code == 403


def test_an_api_write_in_a_browser_session_needs_the_csrf_token(tree, bob):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    response = client.post("/api/v1/tasks/", {}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]
    assert "Kiểm tra bảo mật" in response.json()["error"]["message"]
    client.get(reverse("orgs:person_list"))  # any page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    with_token = client.post(
        "/api/v1/tasks/", {}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert with_token.status_code == 400  # past the check, the (empty) task is refused


def test_a_bearer_token_needs_no_csrf_token(tree, bob, bob_token):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/tasks/", {}, content_type="application/json", **_bearer(bob_token)
    )
    assert response.status_code == 400


def test_an_anonymous_api_write_is_401_not_a_csrf_error(tree):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/tasks/", {}, content_type="application/json")
    assert response.status_code == 401


#: Views no browser posts to, each checked another way.
CSRF_EXEMPT = [
    "media/janus/events/",  # Janus's event handler: a server, authenticated by a shared secret
]


def test_no_page_is_exempt_from_csrf():
    """Every view goes through the CSRF check, except the API (its session auth checks it)."""
    from django.urls import get_resolver
    from django.urls.resolvers import URLResolver

    def views(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from views(pattern, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern.callback

    exempt = [
        route
        for route, view in views(get_resolver())
        if getattr(view, "csrf_exempt", False) and not route.startswith("api/")
    ]
    assert exempt == CSRF_EXEMPT, "a new csrf_exempt view: justify it in CSRF_EXEMPT"


# API tokens ------------------------------------------------------------------------------------


def test_wrong_tokens_from_one_address_are_limited_with_a_vietnamese_429(client, tree, settings):
    settings.API_TOKEN_FAILURES = "3/m"
    for _ in range(3):
        assert client.get("/api/v1/people/", **_bearer("gb_guess")).status_code == 401
    response = client.get("/api/v1/people/", **_bearer("gb_guess"))
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert "Quá nhiều yêu cầu" in response.json()["error"]["message"]
    assert int(response["Retry-After"]) >= 1


def test_a_good_token_from_a_limited_address_still_works(client, tree, settings, bob_token):
    """Wrong tokens lock out wrong tokens only: not a colleague's program at the same address."""
    settings.API_TOKEN_FAILURES = "2/m"
    for _ in range(3):
        client.get("/api/v1/people/", **_bearer("gb_guess"))
    assert client.get("/api/v1/people/", **_bearer("gb_guess")).status_code == 429
    assert client.get("/api/v1/people/", **_bearer(bob_token)).status_code == 200
    assert client.get("/api/v1/people/", **_bearer("gb_other")).status_code == 429
    other = client.get("/api/v1/people/", REMOTE_ADDR="10.0.0.9", **_bearer("gb_guess"))
    assert other.status_code == 401


def test_a_forwarded_for_header_from_a_client_changes_nothing(client, tree, settings):
    """Without TRUSTED_PROXIES a client cannot pick its address to escape the limit."""
    settings.API_TOKEN_FAILURES = "2/m"
    statuses = [
        client.get(
            "/api/v1/people/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}", **_bearer("gb_guess")
        ).status_code
        for n in range(4)
    ]
    assert statuses == [401, 401, 429, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_budget(client, tree, settings):
    """nginx (127.0.0.1) appends the address it saw; what the client wrote before it is ignored."""
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1")]
    settings.API_TOKEN_FAILURES = "2/m"

    def guess(forwarded: str) -> int:
        headers = {"HTTP_X_FORWARDED_FOR": forwarded, **_bearer("gb_guess")}
        return client.get("/api/v1/people/", REMOTE_ADDR="127.0.0.1", **headers).status_code

    spoofed = [guess(f"198.51.100.{n}, 203.0.113.7") for n in range(3)]
    assert spoofed == [401, 401, 429]
    assert guess("203.0.113.8") == 401  # another client behind the same nginx
    from_elsewhere = client.get(
        "/api/v1/people/",
        REMOTE_ADDR="192.0.2.1",  # not a listed proxy: its header is the client's own words
        HTTP_X_FORWARDED_FOR="203.0.113.99",
        **_bearer("gb_guess"),
    )
    assert from_elsewhere.status_code == 401


def test_requests_per_token_are_limited(client, tree, settings, bob_token):
    settings.API_TOKEN_RATE = "5/m"
    statuses = [client.get("/api/v1/people/", **_bearer(bob_token)).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    other = token_create(username="bob")[1]
    assert client.get("/api/v1/people/", **_bearer(other)).status_code == 200


def _redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as exc:
        reason = f"Redis is not reachable at {REDIS_URL}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


COUNT_ELSEWHERE = """
import django, sys
from django.conf import settings
settings.configure(
    CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                        "LOCATION": sys.argv[1]}},
)
django.setup()
import types
import django_ratelimit.core
from django_ratelimit.core import get_usage
django_ratelimit.core.time = types.SimpleNamespace(time=lambda: int(sys.argv[4]))
digest = sys.argv[2]
for _ in range(int(sys.argv[3])):
    get_usage(None, group="api-token-rate", key=lambda g, r: digest, rate="5/m", increment=True)
"""


def test_the_per_token_limit_is_shared_by_processes_through_redis(client, tree, settings, bob):
    """Another process spends the token's budget; this one is then refused."""
    _redis_or_skip()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    settings.API_TOKEN_RATE = "5/m"
    cache.clear()
    token, raw = token_create(username="bob")
    subprocess.run(
        [sys.executable, "-c", COUNT_ELSEWHERE, REDIS_URL, token.digest, "5", str(FROZEN_NOW)],
        check=True,
    )
    response = client.get("/api/v1/people/", **_bearer(raw))
    assert response.status_code == 429
    cache.clear()


def test_the_api_still_answers_when_the_shared_cache_is_lost(client, tree, bob_token):
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
        }
    }
    with override_settings(CACHES=unreachable):
        assert client.get("/api/v1/people/", **_bearer(bob_token)).status_code == 200


def test_an_expired_token_is_refused(client, tree, bob):
    token, raw = token_create(username="bob", days=1)
    assert token.expires_at > timezone.now() + timedelta(hours=23)
    assert client.get("/api/v1/people/", **_bearer(raw)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/people/", **_bearer(raw)).status_code == 401


def test_a_token_revoked_with_the_command_is_refused(client, tree, bob, capsys):
    token, raw = token_create(username="bob", days=30)
    call_command("token", "revoke", token.prefix)
    assert "Đã thu hồi mã gb_" in capsys.readouterr().out
    assert client.get("/api/v1/people/", **_bearer(raw)).status_code == 401
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_no_token_prefix_reads_as_a_command_option(monkeypatch):
    made = iter(["-starts-with-a-dash", "abcdef-rest"])
    monkeypatch.setattr("secrets.token_urlsafe", lambda n: next(made))
    assert ApiToken.new_raw() == "gb_abcdef-rest"


def test_token_create_shows_the_prefix_beside_the_token(tree, bob, capsys):
    call_command("token", "create", "bob")
    printed = capsys.readouterr()
    raw = printed.out.strip()
    assert f"gb_{ApiToken.objects.get().prefix}" in printed.err
    assert raw.startswith(f"gb_{ApiToken.objects.get().prefix}")


@pytest.mark.parametrize(
    "named",
    [lambda raw: raw, lambda raw: raw[:12], lambda raw: raw[3:9], lambda raw: raw[3:20]],
    ids=["whole", "gb_and_nine", "six_after_gb_", "a_longer_start_without_gb_"],
)
def test_token_revoke_takes_the_whole_token_or_any_start_of_it(client, tree, bob, named):
    _token, raw = token_create(username="bob")
    _kept, kept_raw = token_create(username="bob")
    call_command("token", "revoke", named(raw))
    assert client.get("/api/v1/people/", **_bearer(raw)).status_code == 401
    assert client.get("/api/v1/people/", **_bearer(kept_raw)).status_code == 200


def test_token_revoke_refuses_a_start_too_short_or_shared(tree, bob):
    from django.core.management.base import CommandError

    token, raw = token_create(username="bob")
    with pytest.raises(CommandError, match="gb_"):
        call_command("token", "revoke", raw[:8])
    twin, twin_raw = token_create(username="bob")
    ApiToken.objects.filter(pk=twin.pk).update(prefix=token.prefix)
    with pytest.raises(CommandError, match=r"whole token|toàn bộ mã"):
        call_command("token", "revoke", raw[:12])
    assert not ApiToken.objects.filter(revoked_at__isnull=False).exists()
    call_command("token", "revoke", twin_raw)  # the whole token is never ambiguous
    assert ApiToken.objects.get(pk=twin.pk).revoked_at is not None
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_token_list_shows_prefix_name_creation_last_use_and_expiry(client, tree, bob, capsys):
    used, raw = token_create(username="bob", name="báo cáo tự động", days=30)
    idle, _raw = token_create(username="bob", name="thử")
    client.get("/api/v1/people/", **_bearer(raw))
    call_command("token", "list", "bob")
    lines = capsys.readouterr().out.strip().splitlines()
    rows = {line.split("\t")[0]: line.split("\t") for line in lines[1:]}
    assert set(rows) == {f"gb_{used.prefix}", f"gb_{idle.prefix}"}
    _prefix, name, created, last_use, expires, state = rows[f"gb_{used.prefix}"]
    assert name == "báo cáo tự động"
    today = timezone.localdate().isoformat()
    assert created.startswith(today) and last_use.startswith(today)
    assert expires.startswith((timezone.localdate() + timedelta(days=30)).isoformat())
    assert state == "dùng được"
    assert rows[f"gb_{idle.prefix}"][3:5] == ["—", "—"]


def test_a_token_of_a_deactivated_user_is_refused(client, tree, bob, bob_token):
    bob.is_active = False
    bob.save()
    assert client.get("/api/v1/people/", **_bearer(bob_token)).status_code == 401


def test_only_the_digest_of_a_token_is_stored(tree, bob):
    token, raw = token_create(username="bob")
    assert raw not in token.digest
    assert not ApiToken.objects.filter(digest=raw).exists()


# The API's errors -------------------------------------------------------------------------------


def test_a_body_that_is_not_json_is_a_json_400_in_the_callers_language(client, tree, bob_token):
    post = dict(content_type="application/json", **_bearer(bob_token))
    vietnamese = client.post("/api/v1/tasks/", "{not json", **post)
    assert vietnamese.status_code == 400
    assert vietnamese.json()["error"]["code"] == "invalid"
    assert "JSON hợp lệ" in vietnamese.json()["error"]["message"]
    english = client.post("/api/v1/tasks/", "{not json", HTTP_ACCEPT_LANGUAGE="en", **post)
    assert english.json()["error"]["message"].startswith("The request body cannot be read")


def test_a_bug_in_an_endpoint_is_a_json_500_logged_once(client, tree, bob_token, monkeypatch):
    from giaoban.orgs import selectors

    def broken(**kwargs):
        raise RuntimeError("planted")

    monkeypatch.setattr(selectors, "person_search", broken)
    records = []
    root = logging.getLogger()
    catcher = logging.Handler()  # every record, whichever logger it goes to
    catcher.emit = records.append
    root.addHandler(catcher)
    try:
        response = client.get("/api/v1/people/?q=a", **_bearer(bob_token))
    finally:
        root.removeHandler(catcher)
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["error"]["code"] == "server_error"
    assert "Máy chủ gặp lỗi" in response.json()["error"]["message"]
    errors = [r for r in records if r.levelno >= logging.WARNING]
    assert [r.exc_info[1].args for r in errors] == [("planted",)]


# Login -----------------------------------------------------------------------------------------


def test_django_admins_own_login_page_leads_to_the_sites_login(client):
    response = client.get("/admin/login/?next=/admin/orgs/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Forgs%2F"


def test_wrong_passwords_lock_the_login_for_that_user_and_address(client, bob, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "bob", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "bob", "password": "correct-horse-42"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_forwarded_for_header_neither_escapes_nor_lifts_the_login_lock(client, bob, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": "bob", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"8.8.8.{n}",
        )
    locked = client.post(
        reverse("login"),
        {"username": "bob", "password": "correct-horse-42"},
        HTTP_X_FORWARDED_FOR="9.9.9.9",
    )
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_behind_a_trusted_proxy_the_login_lock_is_per_client(client, bob, settings):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1")]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": "bob", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7",
        )
    locked = client.post(
        reverse("login"),
        {"username": "bob", "password": "correct-horse-42"},
        HTTP_X_FORWARDED_FOR="198.51.100.2, 203.0.113.7",
    )
    assert locked.status_code == 429
    elsewhere = Client().post(
        reverse("login"),
        {"username": "bob", "password": "correct-horse-42"},
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )
    assert elsewhere.status_code == 302


# U+0000 ----------------------------------------------------------------------------------------


def test_a_nul_character_in_the_api_is_a_400_in_vietnamese(client, tree, bob_token):
    response = client.get("/api/v1/people/?q=%00", **_bearer(bob_token))
    assert response.status_code == 400
    assert "NUL" in response.json()["error"]["message"]
    body = '{"action": "advance", "note\\u0000": "x"}'
    posted = client.post(
        "/api/v1/conferences/1/actions", body, content_type="application/json", **_bearer(bob_token)
    )
    assert posted.status_code == 400


def test_a_nul_character_in_a_form_is_refused_before_the_view(client, tree, bob):
    client.force_login(bob)
    response = client.post(reverse("orgs:person_create"), {"full_name": "Giàng\x00A Páo"})
    assert response.status_code == 400
    assert "ký tự NUL" in response.content.decode()


def test_an_uploaded_file_may_hold_nul_bytes(client, tree, bob_token):
    """Binary files are not text: the NUL check leaves them to the view."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("bao-cao.xlsx", b"PK\x03\x04\x00\x00binary", "application/zip")
    response = client.post("/api/v1/reports/999999/xlsx", {"file": upload}, **_bearer(bob_token))
    assert response.status_code == 404  # reached the view: no such report
