"""The benchmarks' own parts that can be checked without a machine to measure: bench.live's
bare baseline server and its ratio column, bench.live.host_socket's run at a small size, and
bench.reporting's HTTP/service ratio column."""

import asyncio
import json

import pytest

from bench.live import bare, host_socket, report
from bench.live.clients import Console
from bench.live.measure import Run
from giaoban.testing.servers import free_port

TEXTS = {
    "connect": json.dumps({"type": "state", "reason": "sync", "state": {"seq": 7}}),
    "change": json.dumps(
        {
            "type": "change",
            "reason": "agenda.advanced",
            "seq": 8,
            "room": {"status": "live", "current_item": None},
            "points": [],
            "items": [{"id": 1, "order": 1, "title": "Khai mạc"}],
        }
    ),
    "items": [11, 12],
}


def test_the_bare_server_broadcasts_the_next_item_to_every_console():
    from websockets.asyncio.client import connect

    port = free_port()

    async def scenario():
        server = asyncio.create_task(bare._serve(port, TEXTS))
        url = f"ws://127.0.0.1:{port}/"
        for _ in range(50):  # until the server listens
            try:
                host, point = await connect(url), await connect(url)
                break
            except OSError:
                await asyncio.sleep(0.05)
        for ws in (host, point):
            assert json.loads(await ws.recv())["type"] == "hello"
            assert json.loads(await ws.recv())["reason"] == "sync"
        await host.send('{"action": "advance"}')
        changes = [json.loads(await ws.recv()) for ws in (host, point)]
        await point.send('{"action": "ping", "seq": 8}')
        pong = json.loads(await point.recv())
        await host.close()
        await point.close()
        server.cancel()
        return changes, pong

    changes, pong = asyncio.run(scenario())
    assert changes[0] == changes[1]
    assert changes[0]["seq"] == 8
    assert changes[0]["room"]["current_item"] == {"id": 11, "order": 1, "title": "Khai mạc"}
    assert pong == {"type": "pong", "seq": 8}


def test_the_clients_find_the_bare_servers_current_item():
    room = bare._Room(TEXTS)
    console, counts = Console(ws=None), {}
    assert console.take(room.advance().encode(), 1.0, counts)
    assert (console.item, console.seq, counts) == (11, 8, {11: 1})


def test_the_table_gives_p99_as_a_ratio_to_the_bare_servers():
    bare_run = Run("W", 1000, "W: bare", lat=[10.0] * 100)
    ours = Run("A", 1000, "A: 1 process, in-memory layer", lat=[25.0] * 100)
    small = Run("B", 100, "B: 2 processes, Redis layer", lat=[5.0])
    rows = report.rows([ours, bare_run, small])
    assert rows[0]["x bare p99"] == "2.50 (goal ≤ 2: MISSED)"
    assert rows[1]["x bare p99"] == "baseline"
    assert rows[2]["x bare p99"] == "-"  # no baseline at N = 100 in this run


def test_the_reporting_table_gives_http_reads_as_a_ratio_to_the_service():
    from bench.reporting.reads import Target
    from bench.reporting.run import _http_rows

    places = [Target("nation", None), Target("commune", None)]
    service = {"nation": [10.0] * 20, "commune": [4.0] * 20}
    http = {"nation": [14.0] * 20, "commune": [10.0] * 20}
    rows = _http_rows(service, http, places)
    assert [r["x service p50/p95"] for r in rows] == ["1.40/1.40", "2.50/2.50"]
    assert rows[0]["met"] == "yes"
    assert "API_TOKEN_RATE=" in rows[0]["note"]


@pytest.mark.once
def test_the_host_socket_bench_measures_a_real_host_console(tmp_path):
    """bench.live.host_socket end to end at 250 points (paged above 200), 3 changes of each
    kind: the paged console connects with less than the whole state, an off-page point coming
    online reaches it as counts alone and an on-page one with its tile; before, with the tile."""
    from giaoban.testing.servers import clean_env, run_json

    env = clean_env(BENCH_HOST_SOCKET_NS="250", BENCH_HOST_SOCKET_ROUNDS="3")
    result = run_json(env, "-m", "bench.live.host_socket", timeout=600)
    before, after = result["rows"]
    assert "FAILED" not in before and "FAILED" not in after, result["rows"]
    assert (before["host console"], after["host console"]) == tuple(host_socket.MODES.values())

    def kb(row):
        return int(row["connect KB (deflated)"].split()[0].replace(",", ""))

    def tiles(row, kind):
        return row[f"{kind}: ms p50/p95 (bytes, tiles)"].rstrip(")").rsplit(" ", 1)[1]

    assert kb(after) < kb(before)
    assert [tiles(before, k) for k in host_socket.KINDS] == ["1", "1", "0"]
    assert [tiles(after, k) for k in host_socket.KINDS] == ["0", "1", "0"]
    assert "Load average" in result["note"]
