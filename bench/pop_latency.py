"""Screen-pop latency and web memory (issue 5).

The whole system runs as deployed (demo PBX, bridge, gunicorn web worker, as processes) with
200 agents logged in and connected over Socket.IO. Calls arrive at 10 per second; latency is
measured from the moment the demo PBX writes the AgentCalled frame to the bridge (noted in its
trace file) to the moment that agent's Socket.IO client receives the pop (target p99 < 50 ms).
Then 500 agents connect and the resident memory of the web worker is read.
"""
from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path

import requests
import socketio

from bench.common import emit, note, percentile

RATE = 10           # calls per second
DURATION = 30       # seconds of calls


def _login(stack, username: str) -> str:
    from tests.web.stack import PASSWORD
    http = requests.Session()
    html = http.get(stack.url + "/login").text
    token = html.split('name="csrf-token" content="')[1].split('"')[0]
    r = http.post(stack.url + "/login", data={"username": username, "password": PASSWORD,
                                              "csrf_token": token}, allow_redirects=False)
    assert r.status_code == 302, r.text[:200]
    return "; ".join(f"{k}={v}" for k, v in http.cookies.items())


class Agent:
    def __init__(self, stack, username: str, interface: str):
        self.interface = interface
        self.received: dict[str, float] = {}
        self.client = socketio.Client(reconnection=False)
        self.client.on("pop", self._on_pop)
        cookie = _login(stack, username)
        self.client.connect(stack.url, headers={"Cookie": cookie}, transports=["websocket"])

    def _on_pop(self, data):
        self.received.setdefault(data["call_id"], time.time())


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _worker_pid(stack) -> int:
    master = stack.procs[2].pid
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0]) if children else master


def run(agents: int = 200, memory_agents: int = 500, **_) -> None:
    from tests.web.stack import Stack

    redis_url = os.environ.get("RELAIS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
    workdir = Path(tempfile.mkdtemp(prefix="relais-bench-"))
    trace = workdir / "agentcalled.trace"
    users = [(f"a{i}", f"Agent {i}", "agent", str(3000 + i), ["support"])
             for i in range(memory_agents)]
    stack = Stack(workdir, redis_url, users=users, customers=2000, web_threads=600,
                  extra_env={"RELAIS_DEMO_PBX__TRACE_FILE": str(trace),
                             # nobody fills wrap-ups here: keep agents available
                             "RELAIS_WEB__AUTO_WRAPUP_PAUSE": "false"}).start()
    try:
        note(f"connecting {agents} agents…")
        clients = [Agent(stack, f"a{i}", f"PJSIP/{3000 + i}") for i in range(agents)]
        time.sleep(2)
        callers = [f"06{n:08d}" for n in range(11000000, 11000000 + RATE * DURATION)]
        note(f"placing {len(callers)} calls at {RATE}/s…")
        start = time.monotonic()
        for i, number in enumerate(callers):
            delay = start + i / RATE - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            threading.Thread(target=stack.call, args=(number, ""),
                             kwargs={"ring": 1, "talk": 2}, daemon=True).start()
        time.sleep(8)
        sent = {}
        for line in trace.read_text().splitlines():
            t, call_id, interface = line.split()
            sent[(call_id, interface)] = float(t)
        latencies = []
        by_interface = {c.interface: c for c in clients}
        for (call_id, interface), t in sent.items():
            client = by_interface.get(interface)
            if client and call_id in client.received:
                latencies.append((client.received[call_id] - t) * 1000)
        latencies.sort()
        emit("pop_latency.p50", round(percentile(latencies, 50), 1), "ms", agents=agents,
             calls_per_s=RATE, offers=len(sent), pops=len(latencies))
        emit("pop_latency.p99", round(percentile(latencies, 99), 1), "ms", target=50)
        emit("pop_latency.missing", len(sent) - len(latencies), "offers")
        note(f"connecting {memory_agents - agents} more agents…")
        clients += [Agent(stack, f"a{i}", f"PJSIP/{3000 + i}")
                    for i in range(agents, memory_agents)]
        time.sleep(3)
        emit("web.rss_connected_agents", round(_rss_mb(_worker_pid(stack))), "MB",
             agents=len(clients))
        for c in clients:
            c.client.disconnect()
    finally:
        stack.stop()
