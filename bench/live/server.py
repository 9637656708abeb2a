"""bench.live's giaoban servers: `giaoban serve` for configuration A (one process, in-memory
layer) or B (two processes on one flushed Redis db), on free ports, and their memory."""

import os
import subprocess
from pathlib import Path

from bench.live import REDIS_URL
from giaoban.testing.servers import Served, free_port


def start(config: str, data_dir: Path, logs: Path, name: str, redis_url: str) -> list:
    """The servers of `config`, started and answering; (process, port) of each."""
    env = {
        **os.environ,
        "GIAOBAN_DATA_DIR": str(data_dir),
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)
    if config == "B":
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        env["REDIS_URL"] = redis_url
    started = []
    try:
        for i in range(1 if config == "A" else 2):
            port = free_port()
            log = logs / f"server-{name}-{i}.log"
            started.append((Served(env, log, port=port).start().process, port))
    except Exception:
        stop([process for process, _port in started])
        raise
    return started


def stop(processes: list[subprocess.Popen]) -> None:
    """Killed, not stopped: a graceful stop closes N consoles, and giaoban would publish their
    points going offline (the join storm in reverse)."""
    for process in processes:
        process.kill()
        process.wait()


def rss_kb(pid: int, field_name: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0
