"""bench.briefing: the hour before a briefing, with and without hostile clients (issue 13).

A real `giaoban serve` (one uvicorn process, in-memory channel layer) on the demo data
(`giaoban demo`, its first conference started). BENCH_USERS legitimate users (default 200), each
with a session of its own, do what officials do before a briefing, each its one kind of action
over and over with a pause of THINK_S x U(0.5, 1.5) seconds between two (BENCH_THINK_S,
default 20 s: 200 users make about 10 actions a second):
  home          GET /                                   (canbo_tinh, lanhdao_tinh, canbo_sapa …)
  entry         GET /reports/ID/ (the form), then POST one figure with the page's CSRF token and
                revision (302 expected); each entry user has a draft report of its own: the
                district boards' reports for earlier 9-month periods, opened for the bench
  consolidated  GET /reports/consolidated/              (the province's leader and officer)
  console       WebSocket /ws/conferences/ID/ as the host point's operator (the demo's live
                briefing has no other operator), timed from the connect to the first whole
                state; kept open until the user's next action
The run alternates quiet and hostile phases of PHASE_S seconds (quiet, hostile, quiet, hostile)
after a warm-up, so both are measured side by side in one run on the same server and data.
In a hostile phase BENCH_HOSTILE clients (default 20) send refused messages, each as fast as the
server answers with a pause of HOSTILE_PAUSE_S: forged live-room commands (the host operator's
"start" of a briefing already live, refused), consoles of an account with no place in the
briefing (Sa Pa's officer: closed 4403 at once, reconnecting at once), oversized frames (200 KB:
refused by the consumer; 2 MB: closed by the server's 256 KiB frame limit), wrong Bearer tokens
on the API, and report POSTs with a session but a forged CSRF token. A console closed for its
refusals (4429) or its size (1009) reconnects. Each hostile client logs in on its own (a session
of its own, of an official's account), as a script would; it never shares the measured users'
sessions. Legitimate users use sessions, not tokens, so the API token
limiter (API_TOKEN_RATE, the product's default here) is not in their way; the wrong tokens all
come from 127.0.0.1, and the limiter counts them against their own prefixes. The server slows
a client refused too often (core/offenders.py): the rows of what the hostile clients got back
show how far.

Reported: p50/p95 per action in each kind of phase, the ratio of the p95s (goal <= 1.5), the
errors of legitimate users (any other status, a refused or dropped socket, a timeout: goal 0),
the database's growth (bytes of the database, with SQLite's -wal file; audit rows) in the quiet
and in the hostile phases, and what the hostile clients got back. Prints one JSON line for
bench/__main__.py: {"rows": [...], "note": "..."}.
"""

import asyncio
import contextlib
import io
import json
import os
import random
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

USERS = int(os.environ.get("BENCH_USERS", "200"))
HOSTILE = int(os.environ.get("BENCH_HOSTILE", "20"))
PHASE_S = float(os.environ.get("BENCH_PHASE_S", "60"))
THINK_S = float(os.environ.get("BENCH_THINK_S", "20"))
HOSTILE_PAUSE_S = 0.05
PHASES = ["quiet", "hostile", "quiet", "hostile"]
#: The share of the users doing each kind of action.
MIX = {"home": 0.3, "entry": 0.3, "consolidated": 0.2, "console": 0.2}
TIMEOUT_S = 30.0
ACTIONS = ["home", "entry form", "entry save", "consolidated", "console connect"]
GROWTH = ["bytes", "audit rows", "refusal rows"]


class Run:
    """What the users and the hostile clients record while the phases go by."""

    def __init__(self):
        self.phase = "warm-up"
        self.phase_started = time.perf_counter()
        #: (seconds into its phase, phase, action, ms) of every sample: BENCH_BRIEFING_SAMPLES
        #: names a file to write them to, to see when in a phase the slow ones came.
        self.timeline: list[tuple] = []
        self.samples: dict[tuple[str, str], list[float]] = defaultdict(list)
        self.errors: Counter = Counter()
        self.hostile = Counter()
        self.stop = asyncio.Event()
        self.attack = asyncio.Event()

    def sample(self, action: str, started: float, phase: str) -> None:
        if phase in ("quiet", "hostile"):
            ms = (time.perf_counter() - started) * 1000
            self.samples[(action, phase)].append(ms)
            self.timeline.append((round(started - self.phase_started, 2), phase, action, ms))

    def error(self, action: str, phase: str, what: str) -> None:
        if phase in ("quiet", "hostile"):
            self.errors[(action, phase, what[:120])] += 1


# The server and its data ------------------------------------------------------------------------


def prepare(entry_users: int) -> dict:
    """In this process, on the server's database: the demo, its first conference live, the
    entry users' draft reports, and a session for every account the clients use."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giaoban.settings")
    django.setup()
    from django.core.management import call_command

    from giaoban.meetings import services as meetings
    from giaoban.meetings.models import Conference
    from giaoban.orgs.models import Organization, Role
    from giaoban.orgs.testing import make_user
    from giaoban.reporting import services as reporting
    from giaoban.reporting.models import ReportForm
    from giaoban.testing.live_scenario import session_key

    call_command("migrate", verbosity=0, interactive=False)
    call_command("demo", stdout=io.StringIO())
    conference = Conference.objects.filter(status="planned").order_by("pk").first()
    meetings.conference_transition(actor=None, conference=conference, action="start")
    user = _users()
    form = ReportForm.objects.get()
    boards = list(Organization.objects.filter(kind="mobilization_board", unit__level=2))
    reports = []
    for n in range(entry_users):
        board = boards[n % len(boards)]
        officer = user(f"bench_{board.pk}") or make_user(f"bench_{board.pk}", board, Role.OFFICER)
        year = 2020 - 1 - n // len(boards)
        period = reporting.period_get_or_create(kind="nine", year=year, cutoff_day=14)
        report = reporting.report_open(actor=officer, organization=board, form=form, period=period)
        # The forged-CSRF script's own login of the same officer (see hostile_sessions).
        reports.append(
            {"report": report.pk, "session": session_key(officer), "script": session_key(officer)}
        )
    operators = [p.operator for p in conference.points.select_related("operator") if p.operator]
    return {
        "conference": conference.pk,
        "reports": reports,
        "readers": [session_key(user(n)) for n in ("canbo_tinh", "lanhdao_tinh", "canbo_sapa")],
        "leaders": [session_key(user(n)) for n in ("lanhdao_tinh", "canbo_tinh")],
        "operators": [session_key(o) for o in operators],
        "hostile_viewers": hostile_sessions(user("canbo_sapa")),
        "hostile_operators": hostile_sessions(operators[-1]),
    }


def hostile_sessions(account) -> list[str]:
    """A login of `account` for each hostile client: a script runs in a session of its own, not
    in the officials' browsers (the server slows a client by its session, core/offenders.py;
    the accounts are the officials', as an insider's would be)."""
    from giaoban.testing.live_scenario import session_key

    return [session_key(account) for _ in range(HOSTILE)]


def _users():
    from django.contrib.auth import get_user_model

    return lambda name: get_user_model().objects.filter(username=name).first()


def database_size() -> int:
    """Bytes of the database: SQLite's file and its -wal; PostgreSQL's pg_database_size."""
    from django.db import connection

    if connection.vendor == "sqlite":
        name = Path(connection.settings_dict["NAME"])
        return sum(p.stat().st_size for p in (name, Path(f"{name}-wal")) if p.exists())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return cursor.fetchone()[0]


def footprint() -> tuple[int, int, int] | None:
    """(database bytes, audit rows, of them the live room's refusal rows), on a connection of
    its own, closed after; None if the database takes no connection for 30 s (PostgreSQL's
    max_connections spent by the server: the legitimate users' errors say so)."""
    from django.db import OperationalError, connection

    from giaoban.core.models import AuditEntry

    for _attempt in range(30):
        try:
            refused = AuditEntry.objects.filter(action="live.refused").count()
            return database_size(), AuditEntry.objects.count(), refused
        except OperationalError:
            time.sleep(1)
        finally:
            connection.close()
    return None


# The legitimate users ---------------------------------------------------------------------------


async def _get(run: Run, client, path: str, action: str, expect: int = 200) -> str | None:
    phase, started = run.phase, time.perf_counter()
    try:
        response = await client.get(path)
    except Exception as exc:
        run.error(action, phase, type(exc).__name__)
        return None
    if response.status_code != expect:
        run.error(action, phase, f"HTTP {response.status_code}")
        return None
    run.sample(action, started, phase)
    return response.text


_HIDDEN = r'name="{}"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="{}"'


def _hidden(page: str, name: str) -> str | None:
    found = re.search(_HIDDEN.format(name, name), page)
    return (found.group(1) or found.group(2)) if found else None


async def _entry(run: Run, client, report: int) -> None:
    page = await _get(run, client, f"/reports/{report}/", "entry form")
    if page is None:
        return
    token, revision = _hidden(page, "csrfmiddlewaretoken"), _hidden(page, "revision")
    if token is None or revision is None:
        run.error("entry save", run.phase, "no CSRF token or revision on the form")
        return
    phase, started = run.phase, time.perf_counter()
    data = {
        "csrfmiddlewaretoken": token,
        "revision": revision,
        "v_child_marriages": str(random.randint(0, 99)),
    }
    try:
        response = await client.post(f"/reports/{report}/", data=data)
    except Exception as exc:
        run.error("entry save", phase, type(exc).__name__)
        return
    if response.status_code != 302:
        run.error("entry save", phase, f"HTTP {response.status_code}")
        return
    run.sample("entry save", started, phase)


async def _console(run: Run, base: str, conference: int, session: str, held: list) -> None:
    from giaoban.testing.live_scenario import console, until

    for socket_ in held:
        await socket_.close()
    held.clear()
    phase, started = run.phase, time.perf_counter()
    try:
        socket_ = await console(base, conference, session, max_size=None)
        held.append(socket_)
        await until(socket_, lambda m: m["type"] == "state", timeout=TIMEOUT_S)
    except Exception as exc:
        run.error("console connect", phase, f"{type(exc).__name__} {exc}")
        return
    run.sample("console connect", started, phase)


async def _drain(held: list) -> None:
    """Read what the live room sends an open console, as the page does."""
    while True:
        if not held:
            await asyncio.sleep(0.5)
            continue
        try:
            await asyncio.wait_for(held[0].recv(), 1)
        except (TimeoutError, IndexError):
            continue
        except Exception:
            held.clear()


async def user(run: Run, base: str, kind: str, data: dict, n: int) -> None:
    """One legitimate user doing its kind of action until the run stops."""
    import httpx

    session = {
        "home": data["readers"],
        "consolidated": data["leaders"],
        "console": data["operators"],
    }.get(kind)
    cookie = session[n % len(session)] if session else data["reports"][n]["session"]
    held: list = []
    drain = asyncio.create_task(_drain(held)) if kind == "console" else None
    async with httpx.AsyncClient(
        base_url=base, cookies={"sessionid": cookie}, timeout=TIMEOUT_S
    ) as client:
        await asyncio.sleep(random.uniform(0, THINK_S))  # users arrive over one pause
        while not run.stop.is_set():
            if kind == "home":
                await _get(run, client, "/", "home")
            elif kind == "consolidated":
                await _get(run, client, "/reports/consolidated/", "consolidated")
            elif kind == "entry":
                await _entry(run, client, data["reports"][n]["report"])
            else:
                await _console(run, base, data["conference"], cookie, held)
            await _pause(run, THINK_S * random.uniform(0.5, 1.5))
    if drain:
        drain.cancel()
    for socket_ in held:
        await socket_.close()


async def _pause(run: Run, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(run.stop.wait(), seconds)


# The hostile clients ----------------------------------------------------------------------------

HOSTILE_KINDS = ["forged command", "oversized frame", "wrong token", "forged CSRF"]


async def hostile(run: Run, base: str, kind: str, data: dict, n: int) -> None:
    """One hostile client: sends its kind of refused message during the hostile phases."""
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT_S) as client:
        socket_ = None
        while not run.stop.is_set():
            if not run.attack.is_set():
                await _idle(run)
                if socket_:
                    await socket_.close()
                    socket_ = None
                continue
            try:
                if kind in ("forged command", "oversized frame"):
                    socket_ = await _refused_frame(run, base, kind, data, n, socket_)
                else:
                    await _refused_request(run, client, kind, data, n)
            except Exception as exc:
                run.hostile[(kind, f"{type(exc).__name__} {exc}"[:80])] += 1
                socket_ = None
            await asyncio.sleep(HOSTILE_PAUSE_S)
        if socket_:
            await socket_.close()


async def _idle(run: Run) -> None:
    attack, stop = asyncio.create_task(run.attack.wait()), asyncio.create_task(run.stop.wait())
    await asyncio.wait({attack, stop}, return_when=asyncio.FIRST_COMPLETED)
    attack.cancel()
    stop.cancel()


async def _refused_frame(run: Run, base: str, kind: str, data: dict, n: int, socket_):
    from websockets.exceptions import ConnectionClosed

    from giaoban.testing.live_scenario import console, until

    variant = n // len(HOSTILE_KINDS) % 2  # the clients of one kind take turns
    if socket_ is None:
        # The forged commands' second variant is an account with no place in the conference:
        # closed 4403 at once, it reconnects at once. The oversized frames come from the host.
        placeless = variant and kind == "forged command"
        session = (data["hostile_viewers"] if placeless else data["hostile_operators"])[n]
        socket_ = await console(base, data["conference"], session, max_size=None)
        await until(socket_, lambda m: m["type"] == "state", timeout=TIMEOUT_S)
    if kind == "forged command":
        forged = [{"action": "start"}, {"action": "grant", "request": 10**12 + n}]
        frame = json.dumps(forged[variant] | {"topic": "x" * 100})
    else:
        topic = "A" * (200_000 if variant else 2**21)
        frame = json.dumps({"action": "request_floor", "topic": topic})
    try:
        await socket_.send(frame)
        answer = await until(socket_, lambda m: m["type"] in ("refused", "error"), TIMEOUT_S)
        run.hostile[(kind, f"message {answer['type']}")] += 1
        return socket_
    except ConnectionClosed as closed:
        code = closed.rcvd.code if closed.rcvd else "none"
        run.hostile[(kind, f"closed {code}")] += 1
        return None


async def _refused_request(run: Run, client, kind: str, data: dict, n: int) -> None:
    if kind == "wrong token":
        token = f"gb_{n:06d}{random.getrandbits(96):024x}"
        response = await client.get("/api/v1/people/", headers={"Authorization": f"Bearer {token}"})
    else:
        entry = data["reports"][n % len(data["reports"])]
        response = await client.post(
            f"/reports/{entry['report']}/",
            data={"revision": "0", "v_child_marriages": "1", "csrfmiddlewaretoken": "forged"},
            cookies={"sessionid": entry["script"], "csrftoken": "forged" * 5},
        )
    run.hostile[(kind, f"HTTP {response.status_code}")] += 1


# The run ----------------------------------------------------------------------------------------


def _kinds(count: int) -> list[str]:
    kinds = []
    for kind, share in MIX.items():
        kinds += [kind] * round(count * share)
    return (kinds + ["home"] * count)[:count]


async def _phases(run: Run, growth: dict) -> None:
    await asyncio.sleep(THINK_S * 1.5)  # every user has arrived and acted once
    for phase in PHASES:
        before = await asyncio.to_thread(footprint)
        run.phase, run.phase_started = phase, time.perf_counter()
        if phase == "hostile":
            run.attack.set()
        await asyncio.sleep(PHASE_S)
        run.attack.clear()
        run.phase = "cool-down"
        await asyncio.sleep(1)  # the last hostile messages are answered before counting
        after = await asyncio.to_thread(footprint)
        entry = growth.setdefault(phase, Counter())
        if before is None or after is None:
            entry["unmeasured"] += 1
            continue
        for name, was, now in zip(GROWTH, before, after, strict=True):
            entry[name] += now - was
    run.stop.set()


async def _main(base: str, data: dict) -> tuple[Run, dict]:
    run, growth = Run(), {}
    kinds = _kinds(USERS)
    entry_index = iter(range(USERS))
    tasks = [
        asyncio.create_task(
            user(run, base, kind, data, next(entry_index) if kind == "entry" else n)
        )
        for n, kind in enumerate(kinds)
    ]
    tasks += [
        asyncio.create_task(hostile(run, base, HOSTILE_KINDS[n % len(HOSTILE_KINDS)], data, n))
        for n in range(HOSTILE)
    ]
    await _phases(run, growth)
    await asyncio.wait_for(asyncio.gather(*tasks), TIMEOUT_S + THINK_S * 2)
    return run, growth


def _ms(values: list[float], q: float) -> float | None:
    if len(values) < 2:
        return round(values[0], 1) if values else None
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1], 1)


def rows(run: Run) -> list[dict]:
    out = []
    for action in ACTIONS:
        quiet, hostile_ = run.samples[(action, "quiet")], run.samples[(action, "hostile")]
        p95q, p95h = _ms(quiet, 0.95), _ms(hostile_, 0.95)
        errors = sum(c for (a, _p, _w), c in run.errors.items() if a == action)
        out.append(
            {
                "operation": action,
                "n quiet/hostile": f"{len(quiet)}/{len(hostile_)}",
                "p50 quiet ms": _ms(quiet, 0.5),
                "p95 quiet ms": p95q,
                "p50 hostile ms": _ms(hostile_, 0.5),
                "p95 hostile ms": p95h,
                "p95 ratio": round(p95h / p95q, 2) if p95q and p95h else None,
                "errors": errors,
            }
        )
    return out


def note(run: Run, growth: dict, server_rss_mb: float) -> str:
    mix = ", ".join(f"{k} {v}" for k, v in Counter(_kinds(USERS)).items())
    lines = [
        f"briefing: {USERS} users ({mix}),"
        f" pause {THINK_S:g} s x U(0.5, 1.5); {HOSTILE} hostile clients; phases "
        f"{' / '.join(PHASES)} of {PHASE_S:g} s each; one `giaoban serve`, its RSS at the end "
        f"{server_rss_mb:.0f} MB; the machine's load average (1 min) at the end "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work included).",
    ]
    for phase, g in growth.items():
        unmeasured = f" ({g['unmeasured']} phase(s) unmeasured)" if g["unmeasured"] else ""
        lines.append(
            f"  database growth in the {phase} phases: {g['bytes'] / 1024:+.0f} KiB, "
            f"{g['audit rows']} audit rows (of them {g['refusal rows']} refusal rows){unmeasured}"
        )
    answered = defaultdict(list)
    for (kind, outcome), count in sorted(run.hostile.items()):
        answered[kind].append(f"{outcome} x{count}")
    for kind, outcomes in answered.items():
        lines.append(f"  hostile {kind}: {', '.join(outcomes)}")
    for (action, phase, what), count in sorted(run.errors.items()):
        lines.append(f"  ERROR {action} ({phase}): {what} x{count}")
    return "\n".join(lines)


def _server_errors(log: Path) -> str:
    """The exceptions the server logged (the last line of each traceback), counted: the causes
    of the 500s, before the scratch directory and its log go."""
    found = Counter(
        line.strip()[:160]
        for line in log.read_text(errors="replace").splitlines()
        if re.match(r"^[\w.]+(Error|Exception): ", line)
    )
    return "".join(f"\n  server logged {count} x {line}" for line, count in found.most_common(5))


def main() -> None:
    from bench.live.server import rss_kb
    from giaoban.testing.servers import Served

    data = prepare(entry_users=_kinds(USERS).count("entry"))
    log = Path(os.environ["GIAOBAN_DATA_DIR"]) / "server.log"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "JANUS_URL")}
    served = Served(env, log).start(path="/health/live")
    try:
        run, growth = asyncio.run(_main(served.base, data))
        rss = rss_kb(served.process.pid) / 1024
    finally:
        served.stop()
    result = {"rows": rows(run), "note": note(run, growth, rss) + _server_errors(log)}
    if samples := os.environ.get("BENCH_BRIEFING_SAMPLES"):
        Path(samples).write_text(json.dumps(run.timeline))
    if os.environ.get("BENCH_BRIEFING_TABLE"):
        print(result["note"], file=sys.stderr)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
