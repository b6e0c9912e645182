"""A simulated Asterisk: queues, members, calls, and the AMI events they produce.

Event shapes and orders follow ../shared/ami (Asterisk 22): Local ``;1``/``;2`` pairs for
calls originated into ``from-external``, Linkedid on every leg, VarSet/Newexten noise,
QueueCallerJoin → AgentCalled → DialBegin → QueueMemberStatus → DialState RINGING →
DialEnd ANSWER → MusicOnHoldStop → QueueCallerLeave → AgentConnect → Bridge*, and on hang-up
AgentComplete before the last Hangups. Durations follow the captures' dialplan: agents ring
``AGENT_RING`` seconds and talk ``AGENT_TALK`` seconds unless the call's variables
(``__AGENT_RING_OVERRIDE``, ``__AGENT_TALK_OVERRIDE``, ``CALLER_HOLD``) say otherwise.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import random
import time
from dataclasses import dataclass, field
from typing import Callable

from cti.demo_pbx.channels import Channel

log = logging.getLogger(__name__)

Fields = list[tuple[str, str]]


class PBXError(Exception):
    """An action Asterisk would refuse (``Response: Error``)."""


@dataclass
class Member:
    interface: str
    name: str
    membership: str = "static"
    penalty: int = 0
    paused: bool = False
    reason: str = ""
    status: int = 1  # 1 not in use, 2 in use, 6 ringing
    incall: bool = False
    calls_taken: int = 0
    last_call: int = 0
    last_pause: int = 0
    login_time: int = field(default_factory=lambda: int(time.time()))
    cooldown_until: float = 0.0


@dataclass
class Timing:
    ring_seconds: float = 2.0       # AGENT_RING
    talk_seconds: float = 5.0       # AGENT_TALK
    member_timeout: float = 15.0    # queues.conf timeout
    retry_seconds: float = 2.0      # queues.conf retry
    consult_seconds: float = 3.0    # attended transfer consultation
    outbound_answer_seconds: float = 3.0
    no_answer_odds: float = 0.0     # an agent phone that does not pick up
    outbound_answer_odds: float = 0.8


@dataclass
class Call:
    linkedid: str
    queue: str | None
    caller: list[Channel]                  # caller legs; caller[-1] is the one in the queue
    caller_num: str
    caller_name: str
    ring: float
    talk: float
    hold: float | None                     # caller hangs up this long after the start
    started: float = field(default_factory=time.monotonic)
    joined: float = 0.0
    position: int = 0
    original_position: int = 0
    ringing: dict = field(default_factory=dict)      # interface -> (legs, task, started)
    agent: Member | None = None
    agent_legs: list[Channel] = field(default_factory=list)
    answered: float = 0.0
    bridge: str = ""
    queue_state: str = "waiting"  # waiting | connected | done
    tasks: list = field(default_factory=list)
    done: bool = False


class DemoPBX:
    def __init__(self, queues: dict[str, dict], emit: Callable[[Fields], None],
                 timing: Timing | None = None, seed: int | None = None):
        self.emit = emit
        self.timing = timing or Timing()
        self.rng = random.Random(seed)
        self.uid = itertools.count()
        self.sfx = itertools.count()
        self.bridge_ids = itertools.count(1)
        self.epoch = int(time.time())
        self.queues = {name: dict(q) for name, q in queues.items()}
        self.members: dict[str, dict[str, Member]] = {}
        self.waiting: dict[str, list[Call]] = {}
        self.stats: dict[str, dict] = {}
        for name, q in self.queues.items():
            self.members[name] = {}
            self.waiting[name] = []
            self.stats[name] = {"completed": 0, "abandoned": 0, "holdtime": 0, "talktime": 0}
            for interface, member_name in q.get("members", []):
                self.members[name][interface] = Member(interface, member_name)
        self.channels: dict[str, Channel] = {}
        self.calls: dict[str, Call] = {}
        self.rr_last: dict[str, int] = {}

    # ---- helpers -------------------------------------------------------------------------
    def _uniqueid(self) -> str:
        return f"{self.epoch}.{next(self.uid)}"

    def _suffix(self) -> str:
        return f"{next(self.sfx):08x}"

    def event(self, name: str, privilege: str, *blocks: Fields, **fields) -> None:
        out: Fields = [("Event", name), ("Privilege", privilege)]
        for block in blocks:
            out.extend(block)
        out.extend((k, str(v)) for k, v in fields.items())
        self.emit(out)

    def _new_channel(self, name: str, linkedid: str | None, context: str, exten: str,
                     state: int = 0, **attrs) -> Channel:
        uid = self._uniqueid()
        ch = Channel(name=name, uniqueid=uid, linkedid=linkedid or uid, context=context,
                     exten=exten, state=state, **attrs)
        self.channels[name] = ch
        self.event("Newchannel", "call,all", ch.block())
        return ch

    def _noise(self, ch: Channel, app: str, data: str, variables: dict | None = None) -> None:
        self.event("Newexten", "dialplan,all", ch.block(), Extension=ch.exten, Application=app,
                   AppData=data)
        for key, value in (variables or {}).items():
            self.event("VarSet", "dialplan,all", ch.block(), Variable=key, Value=value)
        ch.priority += 1

    def _set_state(self, ch: Channel, state: int) -> None:
        ch.state = state
        self.event("Newstate", "call,all", ch.block())

    def _hangup(self, ch: Channel, cause: int = 16, request: str | None = None) -> None:
        if ch.name not in self.channels:
            return
        if request:
            self.event(request, "call,all", ch.block(), Cause=cause)
        del self.channels[ch.name]
        self.event("Hangup", "call,all", ch.block(), Cause=cause,
                   **{"Cause-txt": "Normal Clearing" if cause == 16 else "Unknown"})

    def _member_legs(self, interface: str, linkedid: str, caller: Channel) -> list[Channel]:
        if interface.startswith("Local/"):
            base = interface[len("Local/"):].removesuffix("/n")
            exten, _, context = base.partition("@")
            sfx = self._suffix()
            one = self._new_channel(f"Local/{exten}@{context}-{sfx};1", linkedid, context,
                                    exten)
            two = self._new_channel(f"Local/{exten}@{context}-{sfx};2", linkedid, context,
                                    exten, state=4)
            return [one, two]
        return [self._new_channel(f"{interface}-{self._suffix()}", linkedid, "from-internal",
                                  interface.rpartition("/")[2], state=0,
                                  connected_num=caller.caller_num,
                                  connected_name=caller.caller_name)]

    def _member_event(self, name: str, queue: str, m: Member, **extra) -> None:
        fields = dict(Queue=queue, MemberName=m.name, Interface=m.interface,
                      StateInterface=m.interface, Membership=m.membership, Penalty=m.penalty,
                      CallsTaken=m.calls_taken, LastCall=m.last_call, LastPause=m.last_pause,
                      LoginTime=m.login_time, InCall=int(m.incall), Status=m.status,
                      Paused=int(m.paused), PausedReason=m.reason, Ringinuse=0, Wrapuptime=0)
        fields.update(extra)
        self.event(name, "agent,all", **fields)

    def _member_status(self, interface: str, status: int, incall: bool | None = None) -> None:
        for queue, members in self.members.items():
            m = members.get(interface)
            if m is not None:
                m.status = status
                if incall is not None:
                    m.incall = incall
                self._member_event("QueueMemberStatus", queue, m)

    def _busy(self, interface: str) -> bool:
        return any(interface in c.ringing or (c.agent and c.agent.interface == interface)
                   for c in self.calls.values())

    def _later(self, call: Call, delay: float, coro_fn, *args) -> None:
        async def run():
            await asyncio.sleep(delay)
            if not call.done:
                coro_fn(*args)
        call.tasks.append(asyncio.get_running_loop().create_task(run()))

    # ---- inbound queue calls -------------------------------------------------------------
    def inbound(self, queue: str, caller_num: str, caller_name: str, *,
                variables: dict | None = None, action_id: str | None = None) -> Call:
        """A caller dialled into ``queue`` (as Originate Local/<queue>@from-external/n does)."""
        if queue not in self.queues:
            raise PBXError(f"No such queue: {queue}")
        variables = variables or {}
        t = self.timing
        sfx = self._suffix()
        one = self._new_channel(f"Local/{queue}@from-external-{sfx};1", None, "from-external",
                                queue)
        two = self._new_channel(f"Local/{queue}@from-external-{sfx};2", one.linkedid,
                                "from-external", queue, state=4)
        self._noise(one, "AppDial2", "(Outgoing Line)",
                    {k: v for k, v in variables.items() if not k.startswith("__")})
        for ch in (one, two):
            ch.caller_num, ch.caller_name = caller_num or "<unknown>", caller_name or "<unknown>"
        self.event("NewCallerid", "call,all", one.block(),
                   **{"CID-CallingPres": "0 (Presentation Allowed, Not Screened)"})
        one.connected_num, one.connected_name = one.caller_num, one.caller_name
        self.event("NewConnectedLine", "call,all", one.block())
        ring = float(variables.get("__AGENT_RING_OVERRIDE", variables.get("AGENT_RING_OVERRIDE",
                                                                          t.ring_seconds)))
        talk = float(variables.get("__AGENT_TALK_OVERRIDE", variables.get("AGENT_TALK_OVERRIDE",
                                                                          t.talk_seconds)))
        hold = variables.get("CALLER_HOLD")
        call = Call(one.linkedid, queue, [one, two], caller_num, caller_name, ring, talk,
                    float(hold) if hold not in (None, "") else None)
        self.calls[call.linkedid] = call
        self.event("DialBegin", "call,all", one.block("Dest"), DialString=f"{queue}@from-external/n")
        self._noise(two, "NoOp", f"Inbound call from \"{caller_name}\" <{caller_num}>")
        self._set_state(one, 6)
        self.event("DialEnd", "call,all", one.block("Dest"), DialStatus="ANSWER")
        if action_id is not None:
            self.event("OriginateResponse", "call,all", ActionID=action_id, Response="Success",
                       Channel=one.name, Context="caller", Exten="hold", Application="",
                       Data="", Reason=4, Uniqueid=one.uniqueid, CallerIDNum=caller_num,
                       CallerIDName=caller_name)
        self._noise(two, "Answer", "")
        self._set_state(two, 6)
        self._noise(two, "Queue", f"{queue},t,,,300")
        self._join(call, queue)
        if call.hold is not None:
            self._later(call, call.hold, self.caller_hangup, call)
        return call

    def _join(self, call: Call, queue: str) -> None:
        call.queue = queue
        call.queue_state = "waiting"
        call.joined = time.monotonic()
        waiting = self.waiting[queue]
        waiting.append(call)
        call.position = call.original_position = len(waiting)
        self.event("QueueCallerJoin", "call,all", call.caller[-1].block(), Queue=queue,
                   Position=call.position, Count=len(waiting))
        self.event("MusicOnHoldStart", "call,all", call.caller[-1].block(), Class="default")
        self.dispatch(queue)

    def _available(self, queue: str) -> list[Member]:
        now = time.monotonic()
        return [m for m in self.members[queue].values()
                if not m.paused and m.cooldown_until <= now and not self._busy(m.interface)
                and m.status in (1, 0)]

    def dispatch(self, queue: str) -> None:
        """Offer waiting callers to free members, per the queue's strategy."""
        strategy = self.queues[queue].get("strategy", "rrmemory")
        for call in list(self.waiting[queue]):
            if call.ringing or call.done:
                continue
            free = self._available(queue)
            if not free:
                return
            if strategy == "ringall":
                targets = free
            else:
                members = list(self.members[queue].values())
                start = self.rr_last.get(queue, -1)
                order = members[start + 1:] + members[:start + 1]
                target = next(m for m in order if m in free)
                self.rr_last[queue] = members.index(target)
                targets = [target]
            for member in targets:
                self._ring(call, member)

    def _ring(self, call: Call, member: Member) -> None:
        caller = call.caller[-1]
        legs = self._member_legs(member.interface, call.linkedid, caller)
        dest = legs[0]
        self.event("AgentCalled", "agent,all", caller.block(), dest.block("Dest"),
                   Queue=call.queue, Interface=member.interface, MemberName=member.name)
        self.event("DialBegin", "call,all", caller.block(), dest.block("Dest"),
                   DialString=member.interface)
        self._member_status(member.interface, 2 if member.interface.startswith("Local/") else 6)
        self.event("DialState", "call,all", caller.block(), dest.block("Dest"),
                   DialStatus="RINGING")
        picks_up = self.rng.random() >= self.timing.no_answer_odds
        delay = call.ring if picks_up else min(self.timing.member_timeout, call.ring * 3)
        call.ringing[member.interface] = (legs, time.monotonic())
        self._later(call, delay, self._connect if picks_up else self._ring_no_answer,
                    call, member)

    def _stop_ringing(self, call: Call, member_interface: str, status: str) -> None:
        legs, _ = call.ringing.pop(member_interface)
        dest = legs[0]
        self.event("DialEnd", "call,all", call.caller[-1].block(), dest.block("Dest"),
                   DialStatus=status)
        for leg in reversed(legs):
            self._hangup(leg, 0 if status == "CANCEL" else 19, request="HangupRequest")
        self._member_status(member_interface, 1, False)

    def _ring_no_answer(self, call: Call, member: Member) -> None:
        if member.interface not in call.ringing:
            return
        _, started = call.ringing[member.interface]
        ring_ms = int((time.monotonic() - started) * 1000)
        legs = call.ringing[member.interface][0]
        self.event("AgentRingNoAnswer", "agent,all", call.caller[-1].block(),
                   legs[0].block("Dest"), Queue=call.queue, Interface=member.interface,
                   MemberName=member.name, RingTime=ring_ms)
        self._stop_ringing(call, member.interface, "NOANSWER")
        member.cooldown_until = time.monotonic() + self.timing.retry_seconds
        self._later(call, self.timing.retry_seconds, self.dispatch, call.queue)
        self.dispatch(call.queue)

    def _connect(self, call: Call, member: Member) -> None:
        if member.interface not in call.ringing or call.queue_state != "waiting":
            return
        legs, started = call.ringing.pop(member.interface)
        for other in list(call.ringing):
            self._stop_ringing(call, other, "CANCEL")
        caller, dest = call.caller[-1], legs[0]
        for leg in legs:
            leg.caller_num, leg.caller_name = caller.caller_num, caller.caller_name
            self._set_state(leg, 6)
        self.event("DialEnd", "call,all", caller.block(), dest.block("Dest"), DialStatus="ANSWER")
        self.event("MusicOnHoldStop", "call,all", caller.block())
        waiting = self.waiting[call.queue]
        waiting.remove(call)
        self.event("QueueCallerLeave", "call,all", caller.block(), Queue=call.queue,
                   Position=call.position, Count=len(waiting))
        for i, other in enumerate(waiting, 1):
            other.position = i
        holdtime = round(time.monotonic() - call.joined)
        ringtime = round(time.monotonic() - started)
        self.event("AgentConnect", "agent,all", caller.block(), dest.block("Dest"),
                   Queue=call.queue, Interface=member.interface, MemberName=member.name,
                   HoldTime=holdtime, RingTime=ringtime)
        call.queue_state = "connected"
        call.agent, call.agent_legs = member, legs
        call.answered = time.monotonic()
        call.holdtime = holdtime
        self._bridge(call, dest, caller)
        member.calls_taken += 1
        self._member_status(member.interface, 2, True)
        self._later(call, call.talk, self.agent_hangup, call)

    def _bridge(self, call: Call, *channels: Channel) -> None:
        if not call.bridge:
            call.bridge = f"{next(self.bridge_ids):08x}-demo-bridge"
            self.event("BridgeCreate", "call,all", BridgeUniqueid=call.bridge,
                       BridgeType="basic", BridgeTechnology="simple_bridge")
        for ch in channels:
            ch.bridge = call.bridge
            self.event("BridgeEnter", "call,all", ch.block(), BridgeUniqueid=call.bridge,
                       BridgeType="basic")

    # ---- ending calls --------------------------------------------------------------------
    def agent_hangup(self, call: Call) -> None:
        self._end(call, "agent")

    def caller_hangup(self, call: Call) -> None:
        if call.queue_state == "waiting":
            self._abandon(call)
        else:
            self._end(call, "caller")

    def _abandon(self, call: Call) -> None:
        caller = call.caller[-1]
        for ch in call.caller[:-1]:
            self._hangup(ch, request="SoftHangupRequest")
        self.event("HangupRequest", "call,all", caller.block(), Cause=16)
        self.event("MusicOnHoldStop", "call,all", caller.block())
        for interface in list(call.ringing):
            self._stop_ringing(call, interface, "CANCEL")
        waiting = self.waiting[call.queue]
        self.event("QueueCallerAbandon", "agent,all", caller.block(), Queue=call.queue,
                   Position=call.position, OriginalPosition=call.original_position,
                   HoldTime=round(time.monotonic() - call.joined))
        waiting.remove(call)
        self.event("QueueCallerLeave", "call,all", caller.block(), Queue=call.queue,
                   Position=call.position, Count=len(waiting))
        for i, other in enumerate(waiting, 1):
            other.position = i
        self.stats[call.queue]["abandoned"] += 1
        self._hangup(caller, request="SoftHangupRequest")
        self._close(call)

    def _end(self, call: Call, by: str) -> None:
        if call.done:
            return
        caller = call.caller[-1]
        talk = round(time.monotonic() - call.answered) if call.answered else 0
        if call.queue_state == "waiting":
            return self._abandon(call)
        member = call.agent
        if by == "agent":
            for leg in reversed(call.agent_legs):
                self.event("SoftHangupRequest" if leg is call.agent_legs[-1] else "HangupRequest",
                           "call,all", leg.block(), Cause=16)
        else:
            self.event("HangupRequest", "call,all", caller.block(), Cause=16)
        if call.queue and member is not None and call.queue_state == "connected":
            self.event("AgentComplete", "agent,all", caller.block(),
                       call.agent_legs[0].block("Dest"), Queue=call.queue,
                       Interface=member.interface, MemberName=member.name,
                       HoldTime=getattr(call, "holdtime", 0), TalkTime=talk, Reason=by)
            self.stats[call.queue]["completed"] += 1
            self.stats[call.queue]["talktime"] = talk
        for leg in reversed(call.agent_legs):
            if leg.bridge:
                self.event("BridgeLeave", "call,all", leg.block(), BridgeUniqueid=leg.bridge)
            self._hangup(leg)
        if caller.bridge:
            self.event("BridgeLeave", "call,all", caller.block(), BridgeUniqueid=caller.bridge)
        for ch in reversed(call.caller):
            self._hangup(ch, request="SoftHangupRequest")
        if call.bridge:
            self.event("BridgeDestroy", "call,all", BridgeUniqueid=call.bridge)
        if member is not None:
            member.last_call = int(time.time())
            self._member_status(member.interface, 1, False)
        self._close(call)

    def _close(self, call: Call) -> None:
        call.done = True
        call.queue_state = "done"
        for task in call.tasks:
            task.cancel()
        self.calls.pop(call.linkedid, None)
        for queue in self.queues:
            self.dispatch(queue)

    def _call_of(self, channel: str) -> Call | None:
        for call in self.calls.values():
            if any(ch.name == channel for ch in call.caller + call.agent_legs):
                return call
        return None

    # ---- actions -------------------------------------------------------------------------
    def hangup(self, channel: str) -> None:
        call = self._call_of(channel)
        if call is None:
            raise PBXError("No such channel")
        is_agent = any(ch.name == channel for ch in call.agent_legs)
        self._end(call, "agent" if is_agent else "caller")

    def redirect(self, channel: str, exten: str, context: str) -> None:
        """Blind transfer: the caller leaves the agent and goes to ``exten`` (queue or phone)."""
        call = self._call_of(channel)
        if call is None or call.queue_state != "connected":
            raise PBXError("Channel not in a call")
        caller, member = call.caller[-1], call.agent
        if exten not in self.queues and not self._phone_interface(exten):
            raise PBXError(f"Extension {exten}@{context} does not exist")
        if call.queue:
            self.event("AgentComplete", "agent,all", caller.block(),
                       call.agent_legs[0].block("Dest"), Queue=call.queue,
                       Interface=member.interface, MemberName=member.name,
                       HoldTime=getattr(call, "holdtime", 0),
                       TalkTime=round(time.monotonic() - call.answered), Reason="transfer")
        for leg in reversed(call.agent_legs):
            self.event("BridgeLeave", "call,all", leg.block(), BridgeUniqueid=call.bridge)
            self._hangup(leg)
        self.event("BridgeLeave", "call,all", caller.block(), BridgeUniqueid=call.bridge)
        self.event("BridgeDestroy", "call,all", BridgeUniqueid=call.bridge)
        caller.bridge = call.bridge = ""
        self._member_status(member.interface, 1, False)
        for task in call.tasks:
            task.cancel()
        call.tasks.clear()
        call.agent, call.agent_legs = None, []
        caller.context, caller.exten, caller.priority = context, exten, 1
        self._noise(caller, "Goto", f"{context},{exten},1")
        if exten in self.queues:
            self._join(call, exten)
        else:
            self._dial_phone(call, self._phone_interface(exten))

    def _phone_interface(self, exten: str) -> str | None:
        for members in self.members.values():
            for interface in members:
                if interface.rpartition("/")[2].removesuffix("@agents") == exten or \
                        interface == f"PJSIP/{exten}":
                    return interface
        return f"PJSIP/{exten}" if exten.isdigit() and len(exten) <= 6 else None

    def _dial_phone(self, call: Call, interface: str) -> None:
        caller = call.caller[-1]
        legs = self._member_legs(interface, call.linkedid, caller)
        self.event("DialBegin", "call,all", caller.block(), legs[0].block("Dest"),
                   DialString=interface)
        self.event("DialState", "call,all", caller.block(), legs[0].block("Dest"),
                   DialStatus="RINGING")

        def answer():
            for leg in legs:
                self._set_state(leg, 6)
            self.event("DialEnd", "call,all", caller.block(), legs[0].block("Dest"),
                       DialStatus="ANSWER")
            call.queue_state = "connected"
            call.agent = self._member_for(interface)
            call.agent_legs = legs
            call.answered = time.monotonic()
            call.queue = None  # a direct call now: no queue events for its end
            self._bridge(call, legs[0], caller)
            self._member_status(interface, 2, True)
            self._later(call, call.talk, self.agent_hangup, call)
        self._later(call, call.ring, answer)

    def _member_for(self, interface: str) -> Member:
        for members in self.members.values():
            if interface in members:
                return members[interface]
        return Member(interface, interface)

    def atxfer(self, channel: str, exten: str, context: str) -> None:
        """Attended transfer: the agent consults ``exten``; after the consultation the target
        takes the caller (as when the agent hangs up after introducing the call)."""
        call = self._call_of(channel)
        if call is None or call.queue_state != "connected" or not any(
                ch.name == channel for ch in call.agent_legs):
            raise PBXError("Channel not in a call")
        target = self._phone_interface(exten)
        if target is None:
            raise PBXError(f"Extension {exten}@{context} does not exist")
        caller, agent_leg = call.caller[-1], call.agent_legs[0]
        self.event("MusicOnHoldStart", "call,all", caller.block(), Class="default")
        legs = self._member_legs(target, call.linkedid, agent_leg)
        self.event("DialBegin", "call,all", agent_leg.block(), legs[0].block("Dest"),
                   DialString=target)

        def answered():
            for leg in legs:
                self._set_state(leg, 6)
            self.event("DialEnd", "call,all", agent_leg.block(), legs[0].block("Dest"),
                       DialStatus="ANSWER")
            self._member_status(target, 2, True)
            self._later(call, self.timing.consult_seconds, complete)

        def complete():
            old = call.agent
            if call.queue and old is not None:
                self.event("AgentComplete", "agent,all", caller.block(), agent_leg.block("Dest"),
                           Queue=call.queue, Interface=old.interface, MemberName=old.name,
                           HoldTime=getattr(call, "holdtime", 0),
                           TalkTime=round(time.monotonic() - call.answered), Reason="transfer")
            fields = []
            for prefix, ch in (("OrigTransferer", agent_leg), ("SecondTransferer", agent_leg),
                               ("Transferee", caller), ("TransferTarget", legs[0])):
                fields += [(prefix + k, v) for k, v in ch.block()]
            self.event("AttendedTransfer", "call,all", fields, Result="Success",
                       IsExternal="No", DestType="Bridge",
                       DestBridgeUniqueid=call.bridge)
            for leg in reversed(call.agent_legs):
                self.event("BridgeLeave", "call,all", leg.block(), BridgeUniqueid=call.bridge)
                self._hangup(leg)
            if old is not None:
                self._member_status(old.interface, 1, False)
            self.event("MusicOnHoldStop", "call,all", caller.block())
            call.agent, call.agent_legs = self._member_for(target), legs
            call.queue = None
            call.answered = time.monotonic()
            self._bridge(call, legs[0])
            for task in call.tasks:
                task.cancel()
            call.tasks.clear()
            self._later(call, call.talk, self.agent_hangup, call)
        self._later(call, call.ring, answered)

    # ---- outbound (click-to-call) and supervision ----------------------------------------
    def originate_phone(self, interface: str, exten: str, context: str, callerid: tuple,
                        action_id: str | None, variables: dict) -> Call:
        """Ring the agent's phone, then dial ``exten`` (the customer) when it answers."""
        name, num = callerid
        agent_leg = self._new_channel(f"{interface}-{self._suffix()}", None, context, exten,
                                      caller_num=num or "<unknown>",
                                      caller_name=name or "<unknown>")
        call = Call(agent_leg.linkedid, None, [], num, name, self.timing.ring_seconds,
                    float(variables.get("__AGENT_TALK_OVERRIDE", self.timing.talk_seconds)),
                    None)
        call.agent, call.agent_legs = self._member_for(interface), [agent_leg]
        self.calls[call.linkedid] = call
        self._member_status(interface, 6)

        def agent_answers():
            self._set_state(agent_leg, 6)
            if action_id is not None:
                self.event("OriginateResponse", "call,all", ActionID=action_id,
                           Response="Success", Channel=agent_leg.name, Context=context,
                           Exten=exten, Application="", Data="", Reason=4,
                           Uniqueid=agent_leg.uniqueid, CallerIDNum=num, CallerIDName=name)
            self._member_status(interface, 2, True)
            self._noise(agent_leg, "Dial", f"PJSIP/{exten}@trunk,30")
            trunk = self._new_channel(f"PJSIP/trunk-{self._suffix()}", call.linkedid,
                                      "from-trunk", exten, caller_num=exten,
                                      connected_num=exten)
            call.caller = [trunk]
            self.event("DialBegin", "call,all", agent_leg.block(), trunk.block("Dest"),
                       DialString=f"trunk/{exten}")
            self.event("DialState", "call,all", agent_leg.block(), trunk.block("Dest"),
                       DialStatus="RINGING")
            if self.rng.random() < self.timing.outbound_answer_odds:
                self._later(call, self.timing.outbound_answer_seconds, customer_answers, trunk)
            else:
                self._later(call, self.timing.outbound_answer_seconds * 3, no_answer, trunk)

        def customer_answers(trunk):
            self._set_state(trunk, 6)
            self.event("DialEnd", "call,all", agent_leg.block(), trunk.block("Dest"),
                       DialStatus="ANSWER")
            call.queue_state = "connected"
            call.answered = time.monotonic()
            self._bridge(call, agent_leg, trunk)
            self._later(call, call.talk, self.caller_hangup, call)

        def no_answer(trunk):
            self.event("DialEnd", "call,all", agent_leg.block(), trunk.block("Dest"),
                       DialStatus="NOANSWER")
            self._hangup(trunk, 19)
            self._hangup(agent_leg, 19)
            self._member_status(interface, 1, False)
            self._close(call)
        call.queue_state = "dialing"
        self._later(call, 0.5, agent_answers)
        return call

    def chanspy(self, interface: str, data: str, action_id: str | None) -> None:
        spyer = self._new_channel(f"{interface}-{self._suffix()}", None, "from-internal", "s")
        target = data.split(",")[0]
        spyee = next((ch for ch in self.channels.values() if ch.name.startswith(target)
                      and ch.bridge), None)
        self._set_state(spyer, 6)
        if action_id is not None:
            self.event("OriginateResponse", "call,all", ActionID=action_id, Response="Success",
                       Channel=spyer.name, Context="", Exten="", Application="ChanSpy",
                       Data=data, Reason=4, Uniqueid=spyer.uniqueid, CallerIDNum="",
                       CallerIDName="")
        if spyee is None:
            self._hangup(spyer)
            return
        self.event("ChanSpyStart", "call,all", spyer.block("Spyer"), spyee.block("Spyee"))

    # ---- queue membership ----------------------------------------------------------------
    def _queue_member(self, queue: str, interface: str) -> Member:
        if queue not in self.queues:
            raise PBXError(f"Unable to find queue {queue}")
        member = self.members[queue].get(interface)
        if member is None:
            raise PBXError("Unable to remove interface: Not there")
        return member

    def queue_add(self, queue: str, interface: str, name: str, penalty: int, paused: bool,
                  reason: str) -> None:
        if queue not in self.queues:
            raise PBXError("Unable to add interface to queue: No such queue")
        if interface in self.members[queue]:
            raise PBXError("Unable to add interface: Already there")
        member = Member(interface, name or interface, membership="dynamic", penalty=penalty,
                        paused=paused, reason=reason if paused else "",
                        last_pause=int(time.time()) if paused else 0)
        member.status = 2 if self._busy(interface) else 1
        self.members[queue][interface] = member
        self._member_event("QueueMemberAdded", queue, member)
        self.dispatch(queue)

    def queue_remove(self, queue: str, interface: str) -> None:
        member = self._queue_member(queue, interface)
        del self.members[queue][interface]
        self._member_event("QueueMemberRemoved", queue, member)

    def queue_pause(self, interface: str, paused: bool, reason: str, queue: str | None) -> None:
        queues = [queue] if queue else [q for q, m in self.members.items() if interface in m]
        targets = [(q, self.members.get(q, {}).get(interface)) for q in queues]
        if not targets or any(m is None for _, m in targets):
            raise PBXError("Interface not found")
        for q, member in targets:
            member.paused, member.reason = paused, reason if paused else ""
            if paused:
                member.last_pause = int(time.time())
            self._member_event("QueueMemberPause", q, member)
        for q in queues:
            self.dispatch(q)

    def queue_penalty(self, interface: str, penalty: int, queue: str | None) -> None:
        queues = [queue] if queue else [q for q, m in self.members.items() if interface in m]
        if not queues:
            raise PBXError("Invalid interface, queuename or penalty")
        for q in queues:
            member = self._queue_member(q, interface)
            member.penalty = penalty
            self._member_event("QueueMemberPenalty", q, member)

    # ---- status lists --------------------------------------------------------------------
    def queue_status(self, queue: str | None) -> list[Fields]:
        out: list[Fields] = []
        for name in ([queue] if queue else list(self.queues)):
            if name not in self.queues:
                continue
            s = self.stats[name]
            out.append([("Event", "QueueParams"), ("Queue", name), ("Max", "0"),
                        ("Strategy", self.queues[name].get("strategy", "rrmemory")),
                        ("Calls", str(len(self.waiting[name]))), ("Holdtime", "0"),
                        ("TalkTime", str(s["talktime"])), ("Completed", str(s["completed"])),
                        ("Abandoned", str(s["abandoned"])), ("ServiceLevel", "0"),
                        ("ServicelevelPerf", "0.0"), ("ServicelevelPerf2", "0.0"),
                        ("Weight", "0")])
            for m in self.members[name].values():
                out.append([("Event", "QueueMember"), ("Queue", name), ("Name", m.name),
                            ("Location", m.interface), ("StateInterface", m.interface),
                            ("Membership", m.membership), ("Penalty", str(m.penalty)),
                            ("CallsTaken", str(m.calls_taken)), ("LastCall", str(m.last_call)),
                            ("LastPause", str(m.last_pause)), ("LoginTime", str(m.login_time)),
                            ("InCall", str(int(m.incall))), ("Status", str(m.status)),
                            ("Paused", str(int(m.paused))), ("PausedReason", m.reason),
                            ("Wrapuptime", "0")])
            for pos, call in enumerate(self.waiting[name], 1):
                ch = call.caller[-1]
                out.append([("Event", "QueueEntry"), ("Queue", name), ("Position", str(pos)),
                            ("Channel", ch.name), ("Uniqueid", ch.uniqueid),
                            ("CallerIDNum", ch.caller_num), ("CallerIDName", ch.caller_name),
                            ("ConnectedLineNum", ch.connected_num),
                            ("ConnectedLineName", ch.connected_name),
                            ("Wait", str(round(time.monotonic() - call.joined))),
                            ("Priority", "0")])
        return out

    def queue_summary(self, queue: str | None) -> list[Fields]:
        out = []
        for name in ([queue] if queue else list(self.queues)):
            members = self.members.get(name, {}).values()
            out.append([("Event", "QueueSummary"), ("Queue", name),
                        ("LoggedIn", str(len(members))),
                        ("Available", str(sum(1 for m in members
                                              if not m.paused and not self._busy(m.interface)))),
                        ("Callers", str(len(self.waiting.get(name, [])))),
                        ("HoldTime", "0"), ("TalkTime", str(self.stats[name]["talktime"])),
                        ("LongestHoldTime", "0")])
        return out

    def core_show_channels(self) -> list[Fields]:
        out = []
        for ch in self.channels.values():
            out.append([("Event", "CoreShowChannel"), *ch.block(),
                        ("Application", "Queue" if ch.name.startswith("Local/") and
                         ch.name.endswith(";2") and ch.context == "from-external" else "AppDial"),
                        ("ApplicationData", ""),
                        ("Duration", f"{int(time.time() - ch.created):02d}"),
                        ("BridgeId", ch.bridge)])
        return out
