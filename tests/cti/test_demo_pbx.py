"""The demo PBX over TCP: same protocol and event shapes as the captures, driven by AMI."""
from __future__ import annotations

import asyncio

import pytest

from cti.ami_client import AMIActionError
from tests.cti.helpers import FAST, pbx_and_client

INBOUND = {"Action": "Originate", "Channel": "Local/support@from-external/n",
           "Context": "caller", "Exten": "hold", "Priority": "1",
           "CallerID": '"Jean Dupont" <0612345678>', "Timeout": "30000", "Async": "true",
           "Variable": "CALLER_HOLD=60"}


def run(coro):
    return asyncio.run(coro)


def test_inbound_call_like_the_capture():
    async def scenario():
        async with pbx_and_client() as (server, client):
            answer = await client.conn.action(dict(INBOUND, ActionID="orig-inbound"))
            assert answer["Message"] == "Originate successfully queued"
            await client.wait_for(lambda: client.ended())
            return client
    client = run(scenario())
    [call] = client.ended()
    assert (call["caller_number"], call["caller_name"], call["queue"]) == (
        "0612345678", "Jean Dupont", "support")
    assert call["agent_name"] in ("Agent One", "Agent Two")
    assert (call["outcome"], call["ended_by"]) == ("answered", "agent")
    assert call["wait_seconds"] == 0 and call["talk_seconds"] == 0  # fast timing
    kinds = [f["Event"] for f in client.raw]
    # the capture's order of the queue events
    order = ["QueueCallerJoin", "AgentCalled", "DialBegin", "QueueMemberStatus", "DialState",
             "DialEnd", "MusicOnHoldStop", "QueueCallerLeave", "AgentConnect", "BridgeEnter",
             "AgentComplete", "Hangup"]
    positions = [kinds.index(k, kinds.index("QueueCallerJoin")) for k in order]
    assert positions == sorted(positions)
    # Local ;1/;2 pairs share the Linkedid; noise events are there
    legs = [f for f in client.raw if f["Event"] == "Newchannel"]
    assert {f["Linkedid"] for f in legs} == {call["call_id"]}
    assert [f["Channel"][-2:] for f in legs] == [";1", ";2", ";1", ";2"]
    assert "VarSet" in kinds and "Newexten" in kinds
    originate = next(f for f in client.raw if f["Event"] == "OriginateResponse")
    assert originate["ActionID"] == "orig-inbound" and originate["Response"] == "Success"


def test_abandon_while_ringing_like_the_capture():
    async def scenario():
        async with pbx_and_client() as (server, client):
            await client.conn.action(dict(INBOUND, Variable=["CALLER_HOLD=0.15",
                                                             "__AGENT_RING_OVERRIDE=30"]))
            await client.wait_for(lambda: client.ended())
            return client
    client = run(scenario())
    [call] = client.ended()
    assert call["outcome"] == "abandoned" and call["abandon_position"] == 1
    assert [o["result"] for o in call["offers"]] == ["cancelled"]
    kinds = [f["Event"] for f in client.raw]
    assert kinds.index("QueueCallerAbandon") < kinds.index("QueueCallerLeave")
    assert kinds.count("DialEnd") >= 2
    assert "AgentComplete" not in kinds


def test_ring_no_answer_moves_to_the_next_agent():
    timing = FAST.__class__(**{**FAST.__dict__, "no_answer_odds": 1.0, "member_timeout": 0.1})
    queues = {"support": {"strategy": "rrmemory",
                          "members": [("PJSIP/1001", "Agent One"), ("PJSIP/1002", "Agent Two")]}}

    async def scenario():
        async with pbx_and_client(timing=timing, queues=queues) as (server, client):
            await client.conn.action(dict(INBOUND, Variable="CALLER_HOLD=0.5"))
            await client.wait_for(lambda: client.ended())
            return client
    client = run(scenario())
    [call] = client.ended()
    results = [(o["agent"], o["result"]) for o in call["offers"]]
    assert ("PJSIP/1001", "noanswer") in results and ("PJSIP/1002", "noanswer") in results
    assert call["outcome"] == "abandoned"
    statuses = [f["Status"] for f in client.raw if f["Event"] == "QueueMemberStatus"
                and f["Interface"] == "PJSIP/1001"]
    assert statuses[:2] == ["6", "1"]  # a PJSIP member: ringing, then free again


def test_queue_member_actions_and_errors():
    async def scenario():
        async with pbx_and_client() as (server, client):
            a = client.conn.action
            await a({"Action": "QueueAdd", "Queue": "ventes", "Interface": "PJSIP/1003",
                     "MemberName": "Agent Three", "Penalty": "0", "Paused": "false"})
            with pytest.raises(AMIActionError, match="Already there"):
                await a({"Action": "QueueAdd", "Queue": "ventes", "Interface": "PJSIP/1003"})
            await a({"Action": "QueuePause", "Interface": "PJSIP/1003", "Paused": "true",
                     "Reason": "Déjeuner"})
            status = await a({"Action": "QueueStatus", "Queue": "ventes"}, as_list=True)
            summary = await a({"Action": "QueueSummary", "Queue": "ventes"}, as_list=True)
            with pytest.raises(AMIActionError, match="Interface not found"):
                await a({"Action": "QueuePause", "Interface": "PJSIP/9999", "Paused": "true"})
            with pytest.raises(AMIActionError, match="unknown command"):
                await a({"Action": "NoSuchThing"})
            await a({"Action": "QueueRemove", "Queue": "ventes", "Interface": "PJSIP/1003"})
            with pytest.raises(AMIActionError, match="Not there"):
                await a({"Action": "QueueRemove", "Queue": "ventes", "Interface": "PJSIP/1003"})
            await asyncio.sleep(0.05)
            return client, status, summary
    client, status, summary = run(scenario())
    members = [e for e in status if e["Event"] == "QueueMember"]
    assert [(m["Name"], m["Location"], m["Paused"], m["PausedReason"]) for m in members] == [
        ("Agent Three", "PJSIP/1003", "1", "Déjeuner")]
    assert summary[0]["Event"] == "QueueSummary" and summary[0]["LoggedIn"] == "1"
    agent = client.tracker.agents["PJSIP/1003"]
    assert agent.queues == {} and agent.state == "logged_out"
    paused = [e["agent_state"] for e in client.events if e["type"] == "agent.state"
              and e["agent_state"]["paused"]]
    assert paused[0]["pause_reason"] == "Déjeuner"


def test_bad_login_is_refused():
    from cti.ami_client import AMIConnection
    from tests.cti.helpers import start_pbx

    async def scenario():
        server = await start_pbx()
        conn = AMIConnection("127.0.0.1", server.port, "console", "wrong", on_event=lambda e: 0,
                             reconnect_min=5)
        await conn.start()
        await asyncio.sleep(0.2)
        ready = conn.ready.is_set()
        await conn.stop()
        await server.stop()
        return ready
    assert run(scenario()) is False
