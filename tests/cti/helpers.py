"""Run the demo PBX and an AMI client with a tracker in one event loop, for tests."""
from __future__ import annotations

import asyncio
import contextlib

from console.phones import try_normalize
from cti.ami_client import AMIConnection
from cti.demo_pbx.pbx import DemoPBX, Timing
from cti.demo_pbx.server import AMIServer
from cti.tracker import Tracker

FAST = Timing(ring_seconds=0.05, talk_seconds=0.2, member_timeout=0.3, retry_seconds=0.05,
              consult_seconds=0.1, outbound_answer_seconds=0.05, no_answer_odds=0.0,
              outbound_answer_odds=1.0)

QUEUES = {"support": {"strategy": "rrmemory",
                      "members": [("Local/agent1@agents/n", "Agent One"),
                                  ("Local/agent2@agents/n", "Agent Two")]},
          "ventes": {"strategy": "ringall"}}


async def start_pbx(timing: Timing = FAST, queues=None, port: int = 0, seed: int = 1):
    server = AMIServer(lambda emit: DemoPBX(queues or QUEUES, emit, timing, seed=seed),
                       {"console": "console-secret"}, port=port)
    return await server.start()


class Client:
    def __init__(self, port: int):
        self.events: list[dict] = []
        self.raw: list[dict] = []
        self.tracker = Tracker(self.events.append, normalize_number=try_normalize)
        self.conn = AMIConnection("127.0.0.1", port, "console", "console-secret",
                                  on_event=self._on_event, on_ready=self._resync,
                                  reconnect_min=0.05, reconnect_max=0.2)

    def _on_event(self, frame):
        self.raw.append(frame)
        self.tracker.handle(frame)

    async def _resync(self):
        since = self.tracker.events_handled
        channels = await self.conn.action({"Action": "CoreShowChannels"}, as_list=True)
        status = await self.conn.action({"Action": "QueueStatus"}, as_list=True)
        self.tracker.resync(channels, [e for e in status if e.get("Event") == "QueueMember"],
                            [e for e in status if e.get("Event") == "QueueEntry"], since)

    async def start(self):
        await self.conn.start()
        await asyncio.wait_for(self.conn.ready.wait(), 5)
        return self

    async def stop(self):
        await self.conn.stop()

    def ended(self):
        final = {}
        for e in self.events:
            if e["type"] == "call.ended":
                final[e["call"]["call_id"]] = e["call"]
        return list(final.values())

    async def wait_for(self, predicate, timeout: float = 5.0):
        deadline = asyncio.get_running_loop().time() + timeout
        while not predicate():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("condition not met in time")
            await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def pbx_and_client(**kwargs):
    server = await start_pbx(**kwargs)
    client = await Client(server.port).start()
    try:
        yield server, client
    finally:
        await client.stop()
        await server.stop()
