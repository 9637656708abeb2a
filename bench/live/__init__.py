"""The live room at conference size: the host's "next agenda item" fanned out to N consoles.

N bridge-point consoles (N = 100, 500, 1,000, 2,000, as far as the time budget allows) in one
live conference, each a WebSocket logged in as its own point's operator, and the host console
(the host point's operator) on server 1. The host sends {"action": "advance"}; for every console
we take the time from that send to the arrival of the {"type": "change"} message whose
room.current_item changed (CLOCK_MONOTONIC, which is one clock for every process on the
machine). p50/p99/max are over every delivery of every broadcast of a run; "lost" counts
deliveries that did not arrive within DEADLINE_S (the in-memory layer's own message expiry) or
whose socket closed.

Configurations:
  A  one `giaoban serve` (uvicorn, 1 worker), in-memory channel layer;
  B  two `giaoban serve` processes on two ports, channels_redis on a flushed Redis db, the
     consoles split half/half between them (the host on the first);
  W  the baseline: a bare `websockets` server (bench/live/bare.py, one process, no Django)
     sending the same change message, encoded once, to the same consoles when the host asks
     for the next item. Measured in the same run right after A at each N; the table gives A's
     and B's p99 as a ratio to W's ("x bare p99"; goal: within 2x at 1,000 consoles).
Clients run in two separate processes (websockets + asyncio, half the consoles each), offering
permessage-deflate as browsers do; they read messages as bytes and find current_item without
parsing the JSON, to keep their own CPU out of the numbers as far as possible (they share the
machine's 2 cores with the servers all the same).

Decisions, said once:
  * Consoles do not ping during the main runs, so that the numbers are the fan-out alone. The
    real console (meetings/static/meetings/live.js) pings every 3 s; the server notes a ping in
    memory and answers a pong, or the whole state if the ping's seq is behind. Runs per
    configuration at PING_NS have every console, the host's included, pinging every
    PING_INTERVAL_S seconds. There a host console the server drops reconnects (as live.js does)
    within HOST_RECONNECT_S; a dropped console does not, and its deliveries count as lost.
  * Config B sets ?socket_timeout=30 in REDIS_URL: without it redis-py 8's 5 s read timeout
    races channels_redis's 5 s BZPOPMIN and a server drops a console every ~5 s of silence
    (measured in the row "B as configured").
  * The bridge points are marked online before their consoles connect, so that the main runs
    measure the fan-out alone; consoles connecting to points not yet online (each point coming
    online is a change, announced together per 0.25 s window) are the "join storm" row.
  * Consoles connect in batches of CONNECT_BATCH (each waits for its hello and first state),
    so that SQLite and the Redis connection pool are not asked for hundreds of things at once.
  * At the end the servers are killed, not stopped: a graceful stop closes N consoles, and their
    points go offline (the join storm in reverse).
  * Every run has a budget. A run whose projected time (from the previous N, x 1.5 N/N':
    connecting and broadcasting are O(N)) exceeds MAX_RUN_S, or for N above the goal's 1,000
    (run last, after the other runs) the time left of TOTAL_BUDGET_S, is not run, and its row
    says so. A run stops broadcasting after MIN_BROADCASTS once BROADCAST_BUDGET_S is spent.
  * The host console's own copy of a broadcast is not counted as a delivery.

The database is SQLite in WAL mode in a temporary data dir (the servers share it); PostgreSQL
is not needed, so with another DATABASE_URL this prints no rows. Prints one JSON line for
bench/__main__.py: {"rows": [...], "note": "..."}; `python -m bench.live` prints the table too.
BENCH_LIVE_NS="100,500" limits the sizes; BENCH_LIVE_BUDGET_S changes the total budget;
BENCH_LIVE_EXTRAS=0 leaves out the runs with pings, the join storm and "B as configured".

The package: `run` (the order of the runs and their budget), `measure` (one run), `room` (the
conference in the database: the only module that imports giaoban.meetings), `server` (the
giaoban servers of A and B), `bare` (the baseline server), `clients` (the client processes and
the runner's handle on them), `report` (the table and the note).
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
NS = [int(n) for n in os.environ.get("BENCH_LIVE_NS", "100,500,1000,2000").split(",")]
EXTRAS = os.environ.get("BENCH_LIVE_EXTRAS", "1") != "0"
AGENDA_ITEMS = 16  # one warm-up advance + up to 15 measured
MAX_BROADCASTS = 15
MIN_BROADCASTS = 3
BROADCAST_BUDGET_S = 20  # per run, once MIN_BROADCASTS are done
DEADLINE_S = 60.0  # a delivery later than this is lost (the in-memory layer's expiry is 60 s)
TOTAL_BUDGET_S = float(os.environ.get("BENCH_LIVE_BUDGET_S", "600"))
MAX_RUN_S = 300.0
IDLE_CONSOLES, IDLE_S = 20, 11.0
HOST_RECONNECT_S = 30.0  # the host console reconnects (as live.js does) within this, or fails
PING_RUN_S = 30.0  # a pinging run stops broadcasting after this, even below MIN_BROADCASTS
PING_NS = [100, 500]  # the runs where every console pings as the real console does
STORM_N = 1000  # the join-storm run: every console connects to a point not yet online
CONNECT_BATCH = 50
PING_INTERVAL_S = 3.0  # SILENT_AFTER is 9 s: three missed pings and a console counts as gone
PING_PROBES = 10
GOAL_N, GOAL_MS = 1000, 200.0
BARE_GOAL_RATIO = 2.0  # giaoban's p99 within 2x the bare server's at GOAL_N (issue 15)
NATIONAL_POINTS = 31000
REDIS_DB = int(os.environ.get("BENCH_LIVE_REDIS_DB", "11"))
REDIS_URL_PLAIN = f"redis://127.0.0.1:6379/{REDIS_DB}"
# redis-py 8 reads with a 5 s socket timeout by default, and channels_redis 4.3 blocks 5 s in
# BZPOPMIN: without a longer timeout a server drops a console every ~5 s of silence (measured
# in the row "B as configured"). The B runs set one in the URL, as a deployment can.
REDIS_URL = f"{REDIS_URL_PLAIN}?socket_timeout=30"
CONFIGS = {
    "A": "A: 1 process, in-memory layer",
    "B": "B: 2 processes, Redis layer",
}
BARE = "W"
BARE_LABEL = "W: bare websockets server (baseline)"


def log(message: str) -> None:
    """Progress on stderr (bench/__main__.py keeps only stdout's last line)."""
    import sys
    import time

    print(f"[live {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
