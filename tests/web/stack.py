"""The whole system as separate processes, as deployed: demo PBX, bridge, web (gunicorn).

The test process prepares the database (migrations, demo data, users), starts the three
processes against the real Redis server, and places calls through AMI like the captures do.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis
import requests

from config import PROJECT_ROOT, load_config
from console.db import make_engine, make_session_factory, upgrade
from console.demo.loader import load_demo
from console.segmentation.engine import recompute_all
from console.users import create_user
from cti.bus import CommandClient, CommandError
from cti.frames import encode_frame

PASSWORD = "motdepasse-de-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    DEFAULT_USERS = [("agent1", "Agent Un", "agent", "1010", ["support"]),
                     ("agent2", "Agent Deux", "agent", "1011", ["ventes"]),
                     ("chef", "Chef Superviseur", "supervisor", "2001", [])]

    def __init__(self, workdir: Path, redis_url: str, users=None, customers: int = 40,
                 extra_env: dict | None = None, web_threads: int = 50):
        self.users = users if users is not None else self.DEFAULT_USERS
        self.customers = customers
        self.web_threads = web_threads
        self.workdir = workdir
        self.redis_url = redis_url
        self.ami_port = free_port()
        self.web_port = free_port()
        self.db_url = f"sqlite:///{workdir / 'relais.db'}"
        self.env = {**os.environ,
                    "RELAIS_DATABASE__URL": self.db_url,
                    "RELAIS_REDIS__URL": redis_url,
                    "RELAIS_AMI__PORT": str(self.ami_port),
                    "RELAIS_AMI__RECONNECT_MAX_SECONDS": "1",
                    "RELAIS_DEMO_PBX__PORT": str(self.ami_port),
                    "RELAIS_DEMO_PBX__CALLS_PER_MINUTE": "0",
                    "RELAIS_DEMO_PBX__RING_SECONDS": "1",
                    "RELAIS_DEMO_PBX__RING_NO_ANSWER_ODDS": "0",
                    "RELAIS_WEB__PORT": str(self.web_port),
                    "RELAIS_WEB__SECRET_KEY": "test-secret-key",
                    "RELAIS_PATHS__VAR_DIR": str(workdir), **(extra_env or {})}
        self.cfg = load_config(environ=self.env)
        self.procs: list[subprocess.Popen] = []
        self.url = f"http://127.0.0.1:{self.web_port}"

    def prepare_data(self) -> None:
        engine = make_engine(self.db_url)
        upgrade(engine)
        load_demo(engine, self.customers, seed=5, progress=False)
        recompute_all(engine, self.cfg, progress=False)  # segments and offers on the pops
        with make_session_factory(engine)() as s:
            for username, name, role, extension, queues in self.users:
                create_user(s, username, PASSWORD, name, role, extension, queues)
            s.commit()
        engine.dispose()
        self.sessions = make_session_factory(make_engine(self.db_url))

    def start(self) -> "Stack":
        redis.Redis.from_url(self.redis_url).flushdb()
        self.prepare_data()
        log = open(self.workdir / "processes.log", "ab")
        run = [sys.executable, "-m", "relais"]
        for args in (run + ["pbx"], run + ["bridge"],
                     [sys.executable, "-m", "gunicorn", "-w", "1", "--threads",
                      str(self.web_threads), "-b",
                      f"127.0.0.1:{self.web_port}", "web.wsgi:app"]):
            self.procs.append(subprocess.Popen(args, env=self.env, cwd=PROJECT_ROOT,
                                               stdout=log, stderr=subprocess.STDOUT))
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        commands = CommandClient(redis.Redis.from_url(self.redis_url), timeout=2)
        pbx_ok = web_ok = False
        while time.monotonic() < deadline and not (pbx_ok and web_ok):
            for p in self.procs:
                if p.poll() is not None:
                    raise RuntimeError(f"{p.args} exited: see {self.workdir / 'processes.log'}")
            if not pbx_ok:
                try:
                    commands.request("unpause", interface="PJSIP/none")
                except CommandError as exc:
                    pbx_ok = "Interface not found" in str(exc)
            if not web_ok:
                try:
                    web_ok = requests.get(self.url + "/login", timeout=1).status_code == 200
                except requests.RequestException:
                    pass
            time.sleep(0.2)
        if not (pbx_ok and web_ok):
            raise RuntimeError(f"stack not ready (pbx={pbx_ok}, web={web_ok})")

    def stop(self) -> None:
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()

    def call(self, number: str, name: str = "", queue: str = "support", ring: float = 1.0,
             talk: float = 3.0, hold: float = 120) -> None:
        """Place an inbound call exactly as the captures did: AMI Originate into a queue."""
        with socket.create_connection(("127.0.0.1", self.ami_port), timeout=5) as sock:
            sock.sendall(encode_frame({"Action": "Login", "Username": "console",
                                       "Secret": "console-secret", "Events": "off",
                                       "ActionID": "login"}))
            callerid = f'"{name}" <{number}>' if name else number
            sock.sendall(encode_frame({
                "Action": "Originate", "ActionID": "orig",
                "Channel": f"Local/{queue}@from-external/n", "Context": "caller",
                "Exten": "hold", "Priority": "1", "CallerID": callerid, "Async": "true",
                "Variable": [f"CALLER_HOLD={hold}", f"__AGENT_RING_OVERRIDE={ring}",
                             f"__AGENT_TALK_OVERRIDE={talk}"]}))
            data = b""
            while b"orig" not in data:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
            sock.sendall(encode_frame({"Action": "Logoff"}))
        assert b"Originate successfully queued" in data, data
