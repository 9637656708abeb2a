"""Every door of the live room bounded (issue 13): text lengths and characters as the model
fields allow, ids checked as integers in range, malformed and oversized frames refused without
dropping the socket, refusals audited in one counted row, a console that keeps being refused
closed."""

import json
import random

import pytest
from channels.db import database_sync_to_async

from giaoban.core import offenders as offenders_module
from giaoban.core.errors import InvalidInput
from giaoban.core.models import AuditEntry
from giaoban.meetings import floor, services
from giaoban.meetings.live import refusals
from giaoban.meetings.live.consumer import CLOSED_WEIGHT, MAX_FRAME_CHARS
from giaoban.meetings.models import Delegate, FloorRequest, Incident
from giaoban.meetings.tests.test_live import Console, in_memory_layer, run  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


# Lengths and characters, through the services ------------------------------------------


def test_a_topic_longer_than_its_column_is_refused_naming_the_field_and_limit(
    live_conference, points, operators
):
    with pytest.raises(InvalidInput) as refused:
        floor.floor_request(actor=operators["sapa"], point=points["088"], topic="A" * 1_000_000)
    assert set(refused.value.errors) == {"topic"}
    assert "300" in refused.value.errors["topic"]
    assert not FloorRequest.objects.exists()


def test_a_topic_of_exactly_its_limit_is_kept(live_conference, points, operators):
    request = floor.floor_request(actor=operators["sapa"], point=points["088"], topic="Á" * 300)
    request.refresh_from_db()
    assert request.topic == "Á" * 300


def test_a_turns_summary_is_bounded_like_the_rooms_other_texts(live_conference, points, operators):
    """floor_finish's summary had no bound: a million characters went into the minutes."""
    request = floor.floor_request(actor=operators["sapa"], point=points["088"], topic="Tảo hôn")
    floor.floor_grant(actor=operators["host"], request=request)
    limit = FloorRequest._meta.get_field("summary").max_length
    with pytest.raises(InvalidInput) as refused:
        floor.floor_finish(actor=operators["host"], request=request, summary="x" * (limit + 1))
    assert set(refused.value.errors) == {"summary"} and str(limit) in refused.value.message
    request.refresh_from_db()
    assert request.status == "speaking" and request.summary == ""
    floor.floor_finish(actor=operators["host"], request=request, summary="Á" * limit)
    request.refresh_from_db()
    assert request.status == "done" and request.summary == "Á" * limit


def test_roll_call_texts_are_bounded_by_the_delegates_columns(live_conference, points, operators):
    delegate = services.delegate_add_guest(actor=None, point=points["088"], full_name="Giàng A Páo")
    for attendance, field, key in [
        ("absent", "reason", "reason"),
        ("represented", "represented_by", "represented_by"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            services.rollcall_mark(
                actor=operators["sapa"],
                delegate=delegate,
                attendance=attendance,
                **{key: "x" * 301},
            )
        assert set(refused.value.errors) == {field} and "300" in refused.value.errors[field]
    assert Delegate.objects.get(pk=delegate.pk).attendance == "unknown"


def test_an_incident_needs_a_known_kind_and_a_bounded_action(live_conference, points, operators):
    sapa = operators["sapa"]
    with pytest.raises(InvalidInput) as refused:
        services.incident_open(actor=sapa, point=points["088"], kind="x" * 5000)
    assert set(refused.value.errors) == {"kind"}
    with pytest.raises(InvalidInput) as refused:
        services.incident_open(
            actor=sapa, point=points["088"], kind="no_sound", action_taken="y" * 501
        )
    assert "500" in refused.value.errors["action_taken"]
    assert not Incident.objects.exists()


def test_control_characters_sent_over_the_websocket_are_not_stored(
    live_conference, points, operators
):
    delegate = services.delegate_add_guest(actor=None, point=points["088"], full_name="Giàng A Páo")

    async def scenario():
        sapa = Console(operators["sapa"], live_conference.pk)
        await sapa.open()
        try:
            await sapa.send(
                {
                    "action": "rollcall",
                    "delegate": delegate.pk,
                    "attendance": "absent",
                    "reason": "Ốm\u0000 đột\x01\x08 xuất\u202e",
                }
            )
            await sapa.until(lambda m: m["type"] == "change" and m["reason"] == "rollcall")
        finally:
            await sapa.close()

    run(scenario)
    assert Delegate.objects.get(pk=delegate.pk).absence_reason == "Ốm đột xuất"


# Frames, ids and refusals over the WebSocket -------------------------------------------


def _fuzz_frames(point_id: int) -> list:
    """Malformed, oversized, deeply nested, huge numbers and forged ids; strings are sent as
    text frames, bytes as binary ones."""
    rng = random.Random(13)
    frames = [
        "not json",
        "",
        "{",
        "[1, 2, 3]",
        "null",
        '"request_floor"',
        "[" * 5000 + "]" * 5000,
        "x" * (MAX_FRAME_CHARS + 1),
        json.dumps({"action": "request_floor", "topic": "A" * 1_000_000}),
        '{"action": "confirm", "point": 1e999}',
        '{"action": "confirm", "point": -1e999}',
        '{"action": "confirm", "point": NaN}',
        json.dumps({"action": "confirm", "point": 10**30}),
        json.dumps({"action": "confirm", "point": -1}),
        json.dumps({"action": "confirm", "point": "١٢"}),
        json.dumps({"action": "grant", "request": [point_id]}),
        json.dumps({"action": "rollcall", "delegate": {"id": 1}}),
        json.dumps({"action": ["advance"]}),
        json.dumps({"action": {"x": 1}}),
        json.dumps({"action": "reorder", "order": [10**40, "a", None]}),
        json.dumps({"action": "incident_open", "kind": "x" * 100}),
        json.dumps({"action": "ping", "seq": 1e308}),
        json.dumps({"action": "request_floor", "topic": "\ud800\x00"}),
        b"\x00\xff binary",
    ]
    for _ in range(30):
        frames.append(
            bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64))).decode("latin-1")
        )
    return frames


@database_sync_to_async
def _refusal_rows(user) -> list[dict]:
    return list(AuditEntry.objects.filter(action="live.refused", actor=user).values("after"))


def test_a_fuzzed_console_is_answered_never_dropped_and_the_audit_stays_small(
    live_conference, points, operators, monkeypatch
):
    monkeypatch.setattr(refusals, "REFUSALS_BEFORE_CLOSE", 1000)
    monkeypatch.setattr(offenders_module, "THRESHOLD", 1000)  # every frame heard at once
    frames = _fuzz_frames(points["088"].pk)

    async def scenario():
        sapa = Console(operators["sapa"], live_conference.pk)
        await sapa.open()
        try:
            for frame in frames:
                if isinstance(frame, bytes):
                    await sapa.communicator.send_input(
                        {"type": "websocket.receive", "bytes": frame}
                    )
                else:
                    await sapa.communicator.send_input({"type": "websocket.receive", "text": frame})
                # Every frame gets an answer (a refusal, a pong or a state), never a drop.
                answer = await sapa.until(lambda m: m["type"] in ("refused", "pong", "state"))
                assert answer["type"] != "refused" or answer["message"]
            await sapa.send({"action": "ping", "seq": 0})
            await sapa.until(lambda m: m["type"] in ("pong", "state"))
            return await _refusal_rows(operators["sapa"])
        finally:
            await sapa.close()

    async def go():
        rows = await scenario()
        assert 0 < len(rows) < 20  # one per reason, not one per frame
        assert sum(len(json.dumps(row["after"])) for row in rows) < 20_000

    run(go)
    assert not FloorRequest.objects.exists()


def test_repeated_refusals_are_one_audit_row_with_count_and_times(
    live_conference, points, operators, monkeypatch
):
    monkeypatch.setattr(refusals, "REFUSALS_BEFORE_CLOSE", 1000)
    monkeypatch.setattr(offenders_module, "THRESHOLD", 1000)

    async def scenario():
        sapa = Console(operators["sapa"], live_conference.pk)
        await sapa.open()
        try:
            for _ in range(50):
                await sapa.send({"action": "start", "padding": "x" * 4000})
                await sapa.until(lambda m: m["type"] == "refused")
            return await _refusal_rows(operators["sapa"])
        finally:
            await sapa.close()

    async def go():
        [row] = await scenario()
        after = row["after"]
        assert after["count"] == 50 and after["first"] <= after["last"]
        assert len(after["message"]["padding"]) == refusals.SAMPLE_CHARS

    run(go)


def test_a_console_that_keeps_being_refused_is_closed_with_a_code(
    live_conference, operators, monkeypatch
):
    monkeypatch.setattr(refusals, "REFUSALS_BEFORE_CLOSE", 5)

    async def scenario():
        sapa = Console(operators["sapa"], live_conference.pk)
        await sapa.open()
        for _ in range(5):
            await sapa.send({"action": "start"})
        while True:
            output = await sapa.communicator.receive_output(3)
            if output["type"] == "websocket.close":
                return output["code"]

    async def go():
        assert await scenario() == refusals.CLOSE_CODE

    run(go)


def test_the_refusal_names_the_field_and_its_limit_in_vietnamese(
    live_conference, points, operators
):
    from django.utils import translation

    with translation.override("vi"), pytest.raises(InvalidInput) as refused:
        floor.floor_request(actor=operators["sapa"], point=points["088"], topic="A" * 301)
    assert refused.value.errors["topic"] == "Nội dung phát biểu: tối đa 300 ký tự."


# The live room's database work, spread -----------------------------------------------------


@pytest.mark.postgres_only  # the tests' in-memory SQLite keeps one thread (core.db.socket_database)
def test_a_console_connects_while_another_consoles_refusal_is_still_being_written(
    live_conference, operators, monkeypatch
):
    """Every console's database work ran in asgiref's one shared thread: one slow write (here a
    forging console's refusal) held up every other console's connect, and on a busy machine
    their handshakes timed out (bench.briefing)."""
    import asyncio
    import threading

    from giaoban.meetings.live import consumer

    entered, release = threading.Event(), threading.Event()
    record = consumer.record_refusal

    def slow_record(*args, **kwargs):
        entered.set()
        release.wait(30)
        return record(*args, **kwargs)

    monkeypatch.setattr(consumer, "record_refusal", slow_record)

    async def scenario():
        forger = Console(operators["sapa"], live_conference.pk)
        await forger.open()
        await forger.communicator.send_input({"type": "websocket.receive", "text": "not json"})
        assert await asyncio.to_thread(entered.wait, 10)
        host = Console(operators["host"], live_conference.pk)
        try:
            state = await host.open()
        finally:
            release.set()
        refused = await forger.until(lambda m: m["type"] == "refused")
        await host.close()
        await forger.close()
        seen.extend([state, refused])

    seen = []
    run(scenario)
    assert [m["type"] for m in seen] == ["state", "refused"]


def test_a_console_opened_while_the_database_is_too_busy_is_told_to_try_again(
    live_conference, operators, monkeypatch
):
    """The pool gave no session in time: close 1013 ("try again later"), after which the console
    reconnects, rather than an exception that drops the handshake."""
    from django.db import OperationalError

    from giaoban.core.db import socket_database
    from giaoban.meetings.live import consumer

    def busy(*args):
        try:
            raise TimeoutError("couldn't get a connection after 5.00 sec")
        except TimeoutError as exc:
            raise OperationalError("couldn't get a connection after 5.00 sec") from exc

    monkeypatch.setattr(consumer, "_role_for", socket_database(busy))
    seen = []

    async def scenario():
        seen.append(await Console(operators["sapa"], live_conference.pk).communicator.connect())

    run(scenario)
    assert seen == [(False, consumer.BUSY_CLOSE_CODE)]


# A client refused too often waits (core/offenders.py) ---------------------------------------


def _as_client(console: Console, session: str) -> Console:
    console.communicator.scope["headers"] = [(b"cookie", f"sessionid={session}".encode())]
    return console


def test_a_console_refused_too_often_is_heard_again_only_after_its_delay(
    live_conference, operators, monkeypatch
):
    """Twenty scripts sending refused commands as fast as they were answered took the one
    process's time from the officials (bench.briefing): past the threshold each refusal of the
    client waits, and its next frames wait unread; another client's console does not."""
    monkeypatch.setattr(refusals, "REFUSALS_BEFORE_CLOSE", 1000)
    waits = []

    async def sleep(seconds):
        waits.append(seconds)

    monkeypatch.setattr(offenders_module, "_sleep", sleep)
    threshold = offenders_module.THRESHOLD

    async def scenario():
        forger = _as_client(Console(operators["sapa"], live_conference.pk), "forger")
        host = _as_client(Console(operators["host"], live_conference.pk), "official")
        await forger.open()
        await host.open()
        for _ in range(threshold + 3):
            await forger.send({"action": "start"})
            await forger.until(lambda m: m["type"] == "refused")
        waited = list(waits)
        await host.send({"action": "ping", "seq": 0})
        await host.until(lambda m: m["type"] in ("pong", "state"))
        await host.close()
        await forger.close()
        return waited

    async def go():
        waited = await scenario()
        assert len(waited) == 4 and waited == sorted(waited)
        assert waited[0] == pytest.approx(offenders_module.FIRST_DELAY_S)
        assert len(waits) == len(waited)  # the official's ping waited for nothing

    run(go)


def test_a_busy_hosts_refusals_of_the_moment_never_slow_it_a_scripts_do(
    live_conference, operators, monkeypatch
):
    """ "Start" on a briefing already live is a rule of the moment, not a forgery: a host whose
    clicks lose a few races is not counted; one refused faster than anyone clicks is."""
    monkeypatch.setattr(refusals, "REFUSALS_BEFORE_CLOSE", 1000)
    key = offenders_module.client_key({"headers": [(b"cookie", b"sessionid=host")]})

    times = [refusals.RAPID_REFUSALS - 1]

    async def scenario():
        host = _as_client(Console(operators["host"], live_conference.pk), "host")
        await host.open()
        for _ in range(times[0]):
            await host.send({"action": "start"})
            await host.until(lambda m: m["type"] == "refused")
        await host.close()

    run(scenario)
    assert offenders_module.offenders.score(key) == 0
    times[0] = refusals.RAPID_REFUSALS + 2
    run(scenario)
    assert offenders_module.offenders.score(key) == pytest.approx(3, rel=0.01)  # a little decayed


def test_a_frame_too_large_for_the_server_counts_as_several_refusals(live_conference, operators):
    async def scenario():
        forger = _as_client(Console(operators["sapa"], live_conference.pk), "forger")
        await forger.open()
        # What uvicorn tells the consumer when it closes a frame above its ws_max_size.
        await forger.communicator.send_input({"type": "websocket.disconnect", "code": 1009})
        await forger.communicator.wait(5)
        return offenders_module.client_key(forger.communicator.scope)

    seen = []

    async def go():
        seen.append(await scenario())

    run(go)
    assert offenders_module.offenders.score(seen[0]) == pytest.approx(CLOSED_WEIGHT, rel=1e-3)


def test_the_server_closes_a_frame_above_the_live_rooms_largest_message(monkeypatch):
    """uvicorn's limit was 1 MiB: a 2 MB frame of one letter, compressed to 2 KB, was inflated
    to 1 MiB before the close. It is now the largest message the consumer takes, in UTF-8."""
    import io

    import uvicorn
    from django.core.management import call_command

    given = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: given.update(kwargs))
    call_command("serve", "--port", "8765", "--no-worker", stdout=io.StringIO())
    assert len(("Ữ" * MAX_FRAME_CHARS).encode()) <= given["ws_max_size"] < 2**20
