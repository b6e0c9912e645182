"""The bridge end to end: demo PBX over TCP → tracker → real Redis bus; commands back."""
from __future__ import annotations

import asyncio
import json

import pytest
import redis

from config import load_config
from cti.bridge import Bridge
from cti.bus import BusReader, CommandClient, CommandError
from tests.conftest import REDIS_URL
from tests.cti.helpers import FAST, start_pbx

QUEUES = {"support": {"strategy": "rrmemory", "members": []},
          "ventes": {"strategy": "ringall", "members": []}}


@pytest.fixture
def redis_client():
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()


def make_cfg(port: int):
    return load_config(environ={}, overrides={"ami": {"port": port, "reconnect_min_seconds": 0.05,
                                                      "reconnect_max_seconds": 0.2}})


async def with_bridge(redis_client, scenario, timing=FAST):
    server = await start_pbx(timing=timing, queues=QUEUES)
    bridge = Bridge(make_cfg(server.port), redis_client)
    runner = asyncio.create_task(bridge.run())
    await asyncio.wait_for(bridge.conn.ready.wait(), 5)
    await asyncio.sleep(0.1)  # resync done
    client = CommandClient(redis.Redis.from_url(REDIS_URL), timeout=5)

    async def command(name, **args):
        return await asyncio.to_thread(client.request, name, **args)
    try:
        return await scenario(server, bridge, command)
    finally:
        bridge.stop()
        await runner
        await server.stop()


def stream_events(redis_client):
    return [json.loads(f[b"event"]) for _, f in redis_client.xrange("relais:events:stream")]


async def until(predicate, timeout=5.0):
    for _ in range(int(timeout / 0.01)):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")


async def inbound(server, number="0612345678", name="Jean Dupont", queue="support", **variables):
    variables.setdefault("CALLER_HOLD", "60")
    return server.pbx.inbound(queue, number, name, variables=variables)


def test_login_pause_and_state_on_the_bus(redis_client):
    async def scenario(server, bridge, command):
        await command("queue_login", interface="PJSIP/1001", queues=["support", "ventes"],
                      member_name="Sophie Bernard")
        await command("queue_login", interface="PJSIP/1001", queues=["support"],
                      member_name="Sophie Bernard")  # twice: no error
        await command("pause", interface="PJSIP/1001", reason="Déjeuner")
        await until(lambda: bridge.tracker.agents["PJSIP/1001"].paused)
        paused = BusReader(redis_client).state()["agents"]
        await command("unpause", interface="PJSIP/1001")
        await until(lambda: not bridge.tracker.agents["PJSIP/1001"].paused)
        with pytest.raises(CommandError, match="Interface not found"):
            await command("pause", interface="PJSIP/9999", reason="x")
        await command("queue_logout", interface="PJSIP/1001", queues=["support", "ventes"])
        await until(lambda: bridge.tracker.agents["PJSIP/1001"].state == "logged_out")
        return paused
    paused = asyncio.run(with_bridge(redis_client, scenario))
    [agent] = paused
    assert (agent["state"], agent["pause_reason"]) == ("paused", "Déjeuner")
    assert sorted(agent["queues"]) == ["support", "ventes"]
    final = BusReader(redis_client).state()["agents"]
    assert final[0]["state"] == "logged_out"


def test_inbound_call_published_live_in_stream_and_state(redis_client):
    pubsub = redis_client.pubsub()
    pubsub.subscribe("relais:events")

    async def scenario(server, bridge, command):
        await command("queue_login", interface="PJSIP/1001", queues=["support"],
                      member_name="Sophie Bernard")
        await inbound(server, __AGENT_TALK_OVERRIDE="0.5")
        await until(lambda: any(c.state == "answered" for c in bridge.tracker.calls.values()))
        during = BusReader(redis_client).state()
        await until(lambda: bridge.tracker.ended)
        return during
    during = asyncio.run(with_bridge(redis_client, scenario))
    assert [c["caller_name"] for c in during["calls"]] == ["Jean Dupont"]
    assert during["calls"][0]["agent"] == "PJSIP/1001"
    events = stream_events(redis_client)
    kinds = [e["type"] for e in events if e["type"].startswith("call.")]
    assert kinds == ["call.queued", "call.offered", "call.answered", "call.ended"]
    offered = next(e for e in events if e["type"] == "call.offered")
    assert offered["agent"] == "PJSIP/1001"
    assert offered["call"]["caller_e164"] == "+33612345678"
    assert BusReader(redis_client).state()["calls"] == []  # ended calls leave the state
    live = []
    while (m := pubsub.get_message(timeout=0.1)) is not None:
        if m["type"] == "message":
            live.append(json.loads(m["data"])["type"])
    assert [k for k in live if k.startswith("call.")] == kinds
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs)


def test_click_to_call_outbound(redis_client):
    async def scenario(server, bridge, command):
        await command("originate", interface="PJSIP/1001", number="06 12 34 56 78",
                      customer_name="Jean Dupont", customer_id=1)
        await until(lambda: bridge.tracker.ended, timeout=5)
        with pytest.raises(CommandError, match="composable"):
            await command("originate", interface="PJSIP/1001", number="abc")
    asyncio.run(with_bridge(redis_client, scenario))
    ended = [e["call"] for e in stream_events(redis_client) if e["type"] == "call.ended"]
    [call] = ended
    assert call["direction"] == "outbound"
    assert call["agent"] == "PJSIP/1001"
    assert call["dialed_number"] == "0612345678"
    assert call["caller_e164"] == "+33612345678"
    assert call["outcome"] == "answered" and call["answered_at"] is not None


def _answered_call(bridge):
    return next((c for c in bridge.tracker.calls.values() if c.state == "answered"), None)


def test_hangup_by_the_agent(redis_client):
    async def scenario(server, bridge, command):
        await command("queue_login", interface="PJSIP/1001", queues=["support"],
                      member_name="Sophie")
        await inbound(server, __AGENT_TALK_OVERRIDE="30")
        await until(lambda: _answered_call(bridge))
        call_id = _answered_call(bridge).call_id
        with pytest.raises(CommandError, match="pas dans l'appel"):
            await command("hangup", call_id=call_id, interface="PJSIP/1002")
        await command("hangup", call_id=call_id, interface="PJSIP/1001")
        await until(lambda: bridge.tracker.ended)
        with pytest.raises(CommandError, match="terminé"):
            await command("hangup", call_id=call_id, interface="PJSIP/1001")
    asyncio.run(with_bridge(redis_client, scenario))
    [call] = [e["call"] for e in stream_events(redis_client) if e["type"] == "call.ended"]
    assert call["ended_by"] == "agent"


@pytest.mark.parametrize("kind", ["transfer_blind", "transfer_attended"])
def test_transfer_keeps_one_call_that_moves_to_the_new_agent(redis_client, kind):
    async def scenario(server, bridge, command):
        await command("queue_login", interface="PJSIP/1001", queues=["support"],
                      member_name="Sophie")
        await command("queue_login", interface="PJSIP/1002", queues=["ventes"],
                      member_name="Karim")
        await inbound(server, __AGENT_TALK_OVERRIDE="0.6")
        await until(lambda: _answered_call(bridge))
        call_id = _answered_call(bridge).call_id
        await command(kind, call_id=call_id, interface="PJSIP/1001", target="1002")
        await until(lambda: bridge.tracker.ended, timeout=5)
        return call_id
    call_id = asyncio.run(with_bridge(redis_client, scenario))
    events = stream_events(redis_client)
    ended = [e["call"] for e in events if e["type"] == "call.ended"]
    assert [c["call_id"] for c in ended] == [call_id]  # one call, not two
    call = ended[-1]
    assert call["agent"] == "PJSIP/1002"
    assert call["outcome"] == "transferred"
    [transfer] = call["transfers"]
    assert (transfer["from_agent"], transfer["to_agent"]) == ("PJSIP/1001", "PJSIP/1002")
    answered_by = [e["agent"] for e in events if e["type"] == "call.answered"]
    assert answered_by[0] == "PJSIP/1001" and answered_by[-1] == "PJSIP/1002"


def test_supervisor_listen(redis_client):
    async def scenario(server, bridge, command):
        with pytest.raises(CommandError, match="pas en communication"):
            await command("spy", supervisor_interface="PJSIP/2001",
                          agent_interface="PJSIP/1001", mode="listen")
        await command("queue_login", interface="PJSIP/1001", queues=["support"],
                      member_name="Sophie")
        await inbound(server, __AGENT_TALK_OVERRIDE="5")
        await until(lambda: _answered_call(bridge))
        events = []
        bridge.conn.on_event_handler = lambda e, h=bridge.conn.on_event_handler: (
            events.append(e), h(e))
        await command("spy", supervisor_interface="PJSIP/2001", agent_interface="PJSIP/1001",
                      mode="whisper")
        await until(lambda: any(e.get("Event") == "ChanSpyStart" for e in events))
        start = next(e for e in events if e.get("Event") == "ChanSpyStart")
        return start
    start = asyncio.run(with_bridge(redis_client, scenario))
    assert start["SpyeeChannel"].startswith("PJSIP/1001-")
    assert start["SpyerChannel"].startswith("PJSIP/2001-")


def test_expired_and_unknown_commands_are_answered(redis_client):
    async def scenario(server, bridge, command):
        with pytest.raises(CommandError, match="inconnue"):
            await command("reboot")
        with pytest.raises(CommandError, match="incomplète"):
            await command("pause")
        reply = {}
        await bridge.handle_command({"name": "unpause", "args": {"interface": "PJSIP/1"},
                                     "reply_to": "relais:reply:test", "expires_at": 1})
        reply = json.loads(redis_client.lpop("relais:reply:test"))
        return reply
    reply = asyncio.run(with_bridge(redis_client, scenario))
    assert reply == {"ok": False, "error": "demande expirée"}


def test_pbx_unreachable_gives_a_clear_error(redis_client):
    async def scenario():
        bridge = Bridge(make_cfg(1), redis_client)  # nothing listens on port 1
        runner = asyncio.create_task(bridge.run())
        await asyncio.sleep(0.1)
        client = CommandClient(redis.Redis.from_url(REDIS_URL), timeout=5)
        try:
            with pytest.raises(CommandError, match="injoignable"):
                await asyncio.to_thread(client.request, "pause", interface="PJSIP/1001",
                                        reason="x")
        finally:
            bridge.stop()
            await runner
    asyncio.run(scenario())
