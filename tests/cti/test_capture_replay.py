"""Replay the real Asterisk 22 captures over TCP into the AMI client and the tracker."""
from __future__ import annotations

import asyncio
import random

import pytest

from console.phones import try_normalize
from cti.ami_client import AMIConnection
from cti.frames import AMIFrameParser
from cti.tracker import Tracker
from tests.conftest import SHARED
from tests.cti.replay import ReplayServer

CAPTURES = SHARED / "ami"


def capture(name: str) -> bytes:
    return (CAPTURES / f"{name}.ami").read_bytes()


async def replay_async(data: bytes, splits=None):
    published: list[dict] = []
    tracker = Tracker(published.append, normalize_number=try_normalize)
    server = await ReplayServer(data, splits).start()
    conn = AMIConnection("127.0.0.1", server.port, "console", "console-secret",
                         on_event=tracker.handle, reconnect_min=0.05)
    await conn.start()
    await asyncio.wait_for(server.done.wait(), 10)
    # the last frame of every capture is the Logoff answer: wait until it was parsed
    for _ in range(200):
        if conn.protocol and not conn.protocol.parser._buffer:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.02)
    await conn.stop()
    await server.stop()
    return tracker, published, server, conn


def replay(data: bytes, splits=None):
    return asyncio.run(replay_async(data, splits))


def ended_calls(published):
    final = {}
    for event in published:
        if event["type"] == "call.ended":
            final[event["call"]["call_id"]] = event["call"]
    return list(final.values())


def summary(published, tracker):
    """Everything the tests assert on, in one comparable value."""
    calls = ended_calls(published)
    return {
        "calls": [{k: c[k] for k in ("call_id", "caller_number", "caller_e164", "caller_name",
                                     "queue", "agent_name", "wait_seconds", "talk_seconds",
                                     "outcome", "ended_by", "abandon_position")}
                  | {"offers": [(o["member_name"], o["result"]) for o in c["offers"]]}
                  for c in calls],
        "agents": {a.interface: (a.state, a.pause_reason, sorted(a.queues))
                   for a in tracker.agents.values()},
        "kinds": [e["type"] for e in published if e["type"].startswith("call.")],
    }


def test_login_uses_the_captured_action_and_is_accepted():
    tracker, published, server, conn = replay(capture("login_only"))
    assert server.received.startswith(b"Action: Login\r\n") or b"Action: Login" in server.received
    assert b"ActionID: login\r\n" in server.received
    assert conn.connections == 1
    assert conn.protocol.version == "11.0.0"
    assert conn.protocol.parser.malformed == 0


def test_inbound_queue_call():
    tracker, published, *_ = replay(capture("inbound_queue_call"))
    [call] = ended_calls(published)
    assert call["caller_number"] == "0612345678"
    assert call["caller_e164"] == "+33612345678"
    assert call["caller_name"] == "Jean Dupont"
    assert call["queue"] == "support"
    assert [(o["member_name"], o["agent"], o["result"]) for o in call["offers"]] == [
        ("Agent One", "Local/agent1@agents/n", "answered")]
    assert call["agent_name"] == "Agent One"
    assert call["wait_seconds"] == 2
    assert call["talk_seconds"] == 6
    assert (call["outcome"], call["ended_by"]) == ("answered", "agent")
    assert [e["type"] for e in published if e["type"].startswith("call.")] == [
        "call.queued", "call.offered", "call.answered", "call.ended"]
    offered = next(e for e in published if e["type"] == "call.offered")
    assert offered["agent"] == "Local/agent1@agents/n"  # the screen pop is addressed
    assert tracker.calls == {}
    assert tracker.agents["Local/agent1@agents/n"].last_call_id == call["call_id"]
    assert tracker.agents["Local/agent1@agents/n"].state == "available"


def test_abandoned_call():
    tracker, published, *_ = replay(capture("abandoned_call"))
    [call] = ended_calls(published)
    assert (call["outcome"], call["ended_by"]) == ("abandoned", "caller")
    assert call["abandon_position"] == 1
    assert call["wait_seconds"] == 3
    assert call["agent"] is None and call["answered_at"] is None
    # Agent Two was ringing when the caller gave up
    assert [(o["member_name"], o["result"]) for o in call["offers"]] == [("Agent Two",
                                                                         "cancelled")]
    abandoned = next(e for e in published if e["type"] == "call.abandoned")
    assert abandoned["call"]["offers"][0]["result"] == "cancelled"
    ringing = [e for e in published if e["type"] == "agent.state"
               and e["agent"] == "Local/agent2@agents/n"]
    assert "ringing" in [e["agent_state"]["state"] for e in ringing]
    stats = tracker.queue_stats["support"]
    assert (stats.abandoned, stats.answered) == (1, 0)


def test_queue_member_actions():
    tracker, published, *_ = replay(capture("queue_member_actions"))
    states = [e["agent_state"] for e in published if e["type"] == "agent.state"
              and e["agent"] == "Local/agent3@agents/n"]
    paused = [s for s in states if s["paused"]]
    assert paused and paused[0]["pause_reason"] == "Lunch"
    assert paused[0]["state"] == "paused"
    assert any(s["state"] == "available" for s in states[states.index(paused[0]):])
    four = [e["agent_state"] for e in published if e["type"] == "agent.state"
            and e["agent"] == "Local/agent4@agents/n"]
    assert four[0]["pause_reason"] == "Not logged in yet"
    penalties = [s["queues"]["sales"]["penalty"] for s in four if "sales" in s["queues"]]
    assert penalties[0] == 1 and penalties[-1] == 2  # QueuePenalty 1 -> 2
    # members while both were logged in, as the QueueMember events of QueueStatus list them
    members_mid = {s["interface"]: sorted(s["queues"]) for s in
                   (e["agent_state"] for e in published if e["type"] == "agent.state")}
    assert set(members_mid) == {"Local/agent3@agents/n", "Local/agent4@agents/n"}
    # after QueueRemove nobody is left in sales
    assert {a.interface: a.queues for a in tracker.agents.values()} == {
        "Local/agent3@agents/n": {}, "Local/agent4@agents/n": {}}
    [call] = ended_calls(published)
    assert (call["caller_name"], call["caller_number"], call["queue"], call["agent_name"]) == (
        "Marie Curie", "0145678901", "sales", "Agent Three")
    assert call["talk_seconds"] == 6


def test_sip_inbound_queue_call_caller_hangs_up():
    tracker, published, *_ = replay(capture("sip_inbound_queue_call"))
    [call] = ended_calls(published)
    assert call["call_id"] == "1795342821.18"
    assert (call["caller_number"], call["caller_name"]) == ("0612345678", "Jean Dupont")
    assert (call["outcome"], call["ended_by"]) == ("answered", "caller")
    assert (call["wait_seconds"], call["talk_seconds"]) == (2, 5)


CALL_CAPTURES = ["inbound_queue_call", "abandoned_call", "queue_member_actions",
                 "sip_inbound_queue_call", "login_only"]


def _frames_at_every_boundary(data: bytes):
    """For every byte offset k, parse data[:k] + data[k:] as two reads; yield (k, frames).

    Parsing the whole 64 KB capture for each of its 64 000 offsets would take minutes; the
    parser's state between frames is empty, so the frames around offset k are re-parsed from
    the previous frame boundary, which is the same state the full replay is in there.
    """
    separators = [0]
    idx = data.find(b"\r\n", 0) + 2  # after the banner
    separators = [0, idx]
    while True:
        nxt = data.find(b"\r\n\r\n", separators[-1])
        if nxt < 0:
            break
        separators.append(nxt + 4)
    for i in range(1, len(separators) - 1):
        start = separators[i - 1]
        end = separators[min(i + 2, len(separators) - 1)]
        window = data[start:end]
        for k in range(separators[i] - start, separators[i + 1] - start + 1):
            parser = AMIFrameParser(expect_banner=start == 0)
            yield start + k, parser.feed(window[:k]) + parser.feed(window[k:]), start, end


@pytest.mark.parametrize("name", CALL_CAPTURES)
def test_every_byte_boundary_gives_the_same_frames(name):
    data = capture(name)
    reference_parser = AMIFrameParser()
    reference = reference_parser.feed(data)
    assert reference and reference_parser.malformed == 0
    checked = set()
    for k, frames, start, end in _frames_at_every_boundary(data):
        whole = AMIFrameParser(expect_banner=start == 0).feed(data[start:end])
        assert frames == whole, f"split at byte {k}"
        checked.add(k)
    assert len(checked) >= len(data) - 60  # every offset but the banner line


@pytest.mark.parametrize("name", ["inbound_queue_call", "abandoned_call"])
def test_split_reads_over_tcp_give_the_same_outcome(name):
    data = capture(name)
    tracker, published, *_ = replay(data)
    expected = summary(published, tracker)
    rnd = random.Random(name)
    for splits in ([1], [len(data) // 2], [len(data) - 3],
                   sorted(rnd.sample(range(1, len(data)), 40)),
                   list(range(1, 200))):  # the first 200 bytes one by one
        tracker, published, *_ = replay(data, splits)
        assert summary(published, tracker) == expected, splits


def test_accented_names_split_inside_a_character():
    """UTF-8 names cut between the two bytes of "é" over TCP are decoded whole."""
    data = capture("inbound_queue_call").replace(b"Jean Dupont", "Hélène Lefèvre".encode())
    cut = data.index("é".encode()) + 1
    tracker, published, *_ = replay(data, [cut, cut + 7])
    [call] = ended_calls(published)
    assert call["caller_name"] == "Hélène Lefèvre"


def test_malformed_frame_is_skipped_and_the_link_stays_up():
    good = capture("inbound_queue_call")
    at = good.index(b"Event: QueueCallerJoin")
    junk = b"this is not AMI\r\n\x00\x01garbage\r\n\r\nEvent\r\n\r\n"
    tracker, published, server, conn = replay(good[:at] + junk + good[at:])
    assert conn.protocol.parser.malformed == 2
    assert conn.connections == 1
    [call] = ended_calls(published)
    assert call["outcome"] == "answered"
