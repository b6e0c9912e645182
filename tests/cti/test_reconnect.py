"""Link failures: the PBX drops the AMI link mid-call, Redis restarts under the bridge."""
from __future__ import annotations

import asyncio
import json

import redis

from config.redis_service import fast_failing_retry
from cti.bus import EventBus
from tests.cti.helpers import FAST, Client, start_pbx


async def answered_call(talk_seconds: float):
    """A demo PBX, a tracking client, and a call from Jean Dupont an agent has answered."""
    server = await start_pbx(timing=FAST.__class__(**{**FAST.__dict__,
                                                      "talk_seconds": talk_seconds}))
    client = await Client(server.port).start()
    server.pbx.inbound("support", "0612345678", "Jean Dupont", variables={"CALLER_HOLD": "60"})
    await client.wait_for(lambda: any(c.state == "answered"
                                      for c in client.tracker.calls.values()))
    return server, client


def test_link_dropped_mid_call_the_call_is_tracked_once():
    async def scenario():
        server, client = await answered_call(0.6)
        [call_id] = list(client.tracker.calls)
        server.drop_clients()  # AgentComplete and the hang-ups will happen while we are away
        await client.wait_for(lambda: not client.conn.ready.is_set(), 2)
        await client.wait_for(lambda: client.conn.ready.is_set(), 5)
        await client.wait_for(lambda: client.ended(), 5)
        tracked_during = dict(client.tracker.calls)
        await client.stop()
        await server.stop()
        return client, call_id, tracked_during

    client, call_id, _ = asyncio.run(scenario())
    assert client.conn.connections == 2
    ended = client.ended()
    assert [c["call_id"] for c in ended] == [call_id]
    assert ended[0]["caller_name"] == "Jean Dupont"
    answered = [e for e in client.events if e["type"] == "call.answered"]
    assert {e["call"]["call_id"] for e in answered} == {call_id}


def test_link_dropped_and_back_while_the_call_goes_on():
    """The call is still up after the reconnect: resync keeps it, once, with its agent."""
    async def scenario():
        server, client = await answered_call(1.0)
        server.drop_clients()
        await client.wait_for(lambda: client.conn.connections == 2 and client.conn.ready.is_set())
        await asyncio.sleep(0.1)
        during = [(c.call_id, c.agent, c.state) for c in client.tracker.calls.values()]
        await client.wait_for(lambda: client.ended(), 5)
        await client.stop()
        await server.stop()
        return client, during

    client, during = asyncio.run(scenario())
    assert len(during) == 1 and during[0][2] == "answered"
    assert during[0][1].startswith("Local/agent")
    [call] = client.ended()
    assert call["outcome"] == "answered" and call["call_id"] == during[0][0]


def test_pbx_restart_bridge_comes_back():
    async def scenario():
        server = await start_pbx()
        port = server.port
        client = await Client(port).start()
        await server.stop()
        await client.wait_for(lambda: not client.conn.ready.is_set(), 2)
        await asyncio.sleep(0.3)  # a few refused reconnects, with backoff
        server = await start_pbx(port=port)
        await client.wait_for(lambda: client.conn.ready.is_set(), 5)
        server.pbx.inbound("support", "0145678901", "Marie Curie",
                           variables={"CALLER_HOLD": "60"})
        await client.wait_for(lambda: client.ended(), 5)
        await client.stop()
        await server.stop()
        return client
    client = asyncio.run(scenario())
    assert client.conn.connections == 2
    assert client.ended()[0]["caller_name"] == "Marie Curie"


def test_redis_restart_loses_no_event(tmp_path):
    """Events published while Redis is down are buffered and written, in order, after."""
    from config.redis_service import start_embedded

    port = 6398
    proc = start_embedded(port, tmp_path)
    client = redis.Redis(port=port, socket_connect_timeout=0.2, retry=fast_failing_retry())
    bus = EventBus(client, retry_seconds=0)
    bus.publish({"type": "queue.stats", "queue": "support", "stats": {"n": 0}, "seq": 0})
    proc.terminate()
    proc.wait()
    for n in range(1, 4):
        bus.publish({"type": "queue.stats", "queue": "support", "stats": {"n": n}, "seq": n})
    assert len(bus.pending) == 3
    proc = start_embedded(port, tmp_path)  # a new, empty Redis on the same port
    try:
        assert bus.flush()
        seqs = [json.loads(f[b"event"])["seq"] for _, f in client.xrange("relais:events:stream")]
        assert seqs == [1, 2, 3]
        assert json.loads(client.hget("relais:state:queues", "support")) == {"n": 3}
    finally:
        proc.terminate()
        proc.wait()
