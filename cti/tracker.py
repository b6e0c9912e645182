"""Call and agent tracking from raw AMI events (the "event handler" of the bridge).

Feed every AMI event (a dict) to :meth:`Tracker.handle`; domain events (see cti.events) come
out through the ``publish`` callback. Calls are keyed by ``Linkedid`` — never by Uniqueid —
so the ``;1``/``;2`` halves of Local channels and every other leg belong to one call.

Nothing here relies on the order of events across channels: each handler only moves state
forward (an offer already answered is not "cancelled" by a late DialEnd, a call is final only
when its last channel is gone, and a late AgentComplete still corrects an ended call).
"""
from __future__ import annotations

import re
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Callable

from cti import events as ev

UNKNOWN = ("", "<unknown>", "unknown")
_CHANNEL_SUFFIX = re.compile(r"-[0-9a-f]{8}(;\d)?$")
RINGING, ANSWERED, NOANSWER, CANCELLED = "ringing", "answered", "noanswer", "cancelled"


def channel_owner(channel: str) -> str:
    """Device part of a channel name: ``PJSIP/1001-0000000a`` → ``PJSIP/1001``,
    ``Local/agent1@agents-00000001;1`` → ``Local/agent1@agents``."""
    return _CHANNEL_SUFFIX.sub("", channel or "")


def interface_key(interface: str) -> str:
    """Comparable form of a queue member interface (``Local/x@ctx/n`` → ``Local/x@ctx``)."""
    return interface[:-2] if interface.endswith("/n") else interface


def _num(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@dataclass
class Offer:
    agent: str
    member_name: str
    at: float
    result: str = RINGING
    ring_seconds: int | None = None
    channel: str | None = None


@dataclass
class Call:
    call_id: str
    direction: str = "inbound"
    caller_number: str | None = None
    caller_e164: str | None = None
    caller_name: str | None = None
    dialed_number: str | None = None
    queue: str | None = None
    state: str = "new"
    offers: list[Offer] = field(default_factory=list)
    agent: str | None = None
    agent_name: str | None = None
    created_at: float = 0.0
    queued_at: float | None = None
    first_offered_at: float | None = None
    answered_at: float | None = None
    ended_at: float | None = None
    wait_seconds: int | None = None
    talk_seconds: int | None = None
    hold_seconds: int = 0
    outcome: str | None = None
    abandon_position: int | None = None
    abandon_original_position: int | None = None
    ended_by: str | None = None
    transfers: list[dict] = field(default_factory=list)
    # internal bookkeeping, not published
    channels: dict = field(default_factory=dict)      # uniqueid -> channel name
    caller_channel: str | None = None
    origin_channel: str = ""
    agent_channels: dict = field(default_factory=dict)  # channel name -> agent interface
    first_hangup_side: str | None = None
    hold_started: float | None = None
    completed: bool = False  # AgentComplete seen
    touched: int = 0  # tracker.events_handled when an event last concerned this call

    PRIVATE = ("channels", "caller_channel", "origin_channel", "agent_channels", "first_hangup_side",
               "hold_started", "completed", "created_at", "touched")

    def to_dict(self) -> dict:
        data = asdict(self)
        for key in self.PRIVATE:
            data.pop(key)
        for offer in data["offers"]:
            offer.pop("channel")
        return data

    def offer_for(self, agent: str) -> Offer | None:
        for offer in reversed(self.offers):
            if offer.agent == agent:
                return offer
        return None


@dataclass
class AgentState:
    interface: str
    name: str | None = None
    queues: dict = field(default_factory=dict)  # queue -> {"paused", "reason", "penalty"}
    paused: bool = False
    pause_reason: str | None = None
    paused_since: float | None = None
    device_status: int | None = None
    ringing_call: str | None = None
    current_call: str | None = None
    wrapup_call: str | None = None
    last_call_id: str | None = None
    last_call_at: float | None = None
    state: str = "logged_out"
    state_since: float = 0.0
    touched: int = 0

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("touched")
        return data

    def derive(self) -> str:
        if not self.queues:
            return "logged_out"
        if self.current_call:
            return "in_call"
        if self.ringing_call:
            return "ringing"
        if self.wrapup_call:
            return "wrapup"
        if self.paused:
            return "paused"
        return "available"


@dataclass
class QueueStats:
    queue: str
    day: str = ""
    waiting: int = 0
    longest_wait_since: float | None = None
    offered: int = 0
    answered: int = 0
    answered_within_sl: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    total_wait_answered: int = 0
    total_talk: int = 0
    service_level_seconds: int = 20

    def to_dict(self, now: float) -> dict:
        data = asdict(self)
        data.pop("longest_wait_since")
        data["longest_wait"] = round(now - self.longest_wait_since) if self.longest_wait_since else 0
        handled = self.answered + self.abandoned - self.short_abandoned
        data["service_level"] = (self.answered_within_sl / self.answered) if self.answered else None
        data["asa"] = (self.total_wait_answered / self.answered) if self.answered else None
        data["abandon_rate"] = ((self.abandoned - self.short_abandoned) / handled
                                if handled else None)
        return data


Publisher = Callable[[dict], None]
Normalizer = Callable[[str], "str | None"]


class Tracker:
    """Stateful interpretation of the AMI event stream."""

    def __init__(self, publish: Publisher, clock: Callable[[], float] = time.time,
                 normalize_number: Normalizer | None = None, service_level_seconds: int = 20,
                 short_abandon_seconds: int = 5, ended_memory: int = 2000):
        self.publish_raw = publish
        self.clock = clock
        self.normalize_number = normalize_number or (lambda n: None)
        self.sl_seconds = service_level_seconds
        self.short_abandon = short_abandon_seconds
        self.calls: dict[str, Call] = {}
        self.ended: OrderedDict[str, Call] = OrderedDict()
        self.ended_memory = ended_memory
        self.agents: dict[str, AgentState] = {}
        self.queue_stats: dict[str, QueueStats] = {}
        self.channel_call: dict[str, str] = {}  # channel name -> call id (live channels)
        self.seq = 0
        self.events_handled = 0
        self._handlers = {name[3:]: getattr(self, name) for name in dir(self)
                          if name.startswith("on_")}

    # ---- plumbing ----------------------------------------------------------------------
    def publish(self, kind: str, **payload) -> None:
        self.seq += 1
        self.publish_raw({"type": kind, "at": self.clock(), "seq": self.seq, **payload})

    def handle(self, event: dict) -> None:
        self.events_handled += 1
        handler = self._handlers.get(event.get("Event", ""))
        if handler is not None:
            handler(event)

    def _call(self, event: dict, create: bool = True) -> Call | None:
        linkedid = event.get("Linkedid")
        if not linkedid:
            return None
        call = self.calls.get(linkedid)
        if call is None:
            late = self.ended.get(linkedid)
            if late is not None:
                return late
            if not create:
                return None
            call = Call(call_id=linkedid, created_at=self.clock())
            self.calls[linkedid] = call
        call.touched = self.events_handled
        return call

    def _publish_call(self, kind: str, call: Call, **extra) -> None:
        self.publish(kind, call=call.to_dict(), **extra)

    def agent(self, interface: str, name: str | None = None) -> AgentState:
        state = self.agents.get(interface)
        if state is None:
            state = AgentState(interface=interface, name=name, state_since=self.clock())
            self.agents[interface] = state
        elif name and not state.name:
            state.name = name
        state.touched = self.events_handled
        return state

    def _agent_by_channel(self, channel: str) -> str | None:
        owner = channel_owner(channel)
        for interface in self.agents:
            if interface_key(interface) == owner:
                return interface
        return None

    def _agent_changed(self, agent: AgentState) -> None:
        new = agent.derive()
        if new != agent.state:
            agent.state = new
            agent.state_since = self.clock()
        self.publish(ev.AGENT_STATE, agent=agent.interface, agent_state=agent.to_dict())

    def stats(self, queue: str) -> QueueStats:
        today = date.fromtimestamp(self.clock()).isoformat()
        stats = self.queue_stats.get(queue)
        if stats is None or stats.day != today:
            waiting = stats.waiting if stats else 0
            stats = QueueStats(queue=queue, day=today, waiting=waiting,
                               service_level_seconds=self.sl_seconds)
            self.queue_stats[queue] = stats
        return stats

    def _stats_changed(self, queue: str | None) -> None:
        if not queue:
            return
        stats = self.stats(queue)
        waiting = [c.queued_at for c in self.calls.values()
                   if c.queue == queue and c.state in ("queued", "ringing") and c.queued_at]
        stats.waiting = len(waiting)
        stats.longest_wait_since = min(waiting) if waiting else None
        self.publish(ev.QUEUE_STATS, queue=queue, stats=stats.to_dict(self.clock()))

    # ---- channels ----------------------------------------------------------------------
    def on_Newchannel(self, e: dict) -> None:
        call = self._call(e)
        if call is None:
            return
        channel = e.get("Channel", "")
        call.channels[e.get("Uniqueid")] = channel
        self.channel_call[channel] = call.call_id
        if e.get("Uniqueid") == e.get("Linkedid"):
            call.origin_channel = channel
            self._caller_from(call, e)

    def _caller_from(self, call: Call, e: dict) -> None:
        number = e.get("CallerIDNum", "")
        if call.direction == "inbound" and number not in UNKNOWN and not call.queue:
            call.caller_number = number
            call.caller_e164 = self.normalize_number(number)
            name = e.get("CallerIDName", "")
            call.caller_name = None if name in UNKNOWN else name

    def on_NewCallerid(self, e: dict) -> None:
        call = self._call(e, create=False)
        if call is not None and e.get("Uniqueid") == e.get("Linkedid"):
            self._caller_from(call, e)

    def on_DialBegin(self, e: dict) -> None:
        """A phone (not a queue caller) dialling an outside number: an outbound call."""
        call = self._call(e, create=False)
        if (call is None or call.queue or call.dialed_number or call.answered_at
                or e.get("Channel") != call.origin_channel
                or call.origin_channel.startswith("Local/")):
            return
        dial = (e.get("DialString") or "").rpartition("/")[2].partition("@")[0]
        number = next((n for n in (e.get("DestConnectedLineNum"), e.get("DestCallerIDNum"), dial,
                                   e.get("DestExten")) if n and n not in UNKNOWN), "")
        e164 = self.normalize_number(number) if number else None
        if e164 is None:
            return  # an internal call between extensions
        channel = call.origin_channel
        agent = self._agent_by_channel(channel) or channel_owner(channel)
        call.direction = "outbound"
        call.agent = agent
        call.agent_name = self.agents[agent].name if agent in self.agents else None
        call.agent_channels[channel] = agent
        call.dialed_number = call.caller_number = number
        call.caller_e164 = e164
        call.caller_name = None
        call.state = "ringing"
        if agent in self.agents:
            self.agents[agent].current_call = call.call_id
            self._agent_changed(self.agents[agent])

    def on_HangupRequest(self, e: dict) -> None:
        call = self._call(e, create=False)
        if call is not None and call.first_hangup_side is None and call.ended_at is None:
            channel = e.get("Channel", "")
            call.first_hangup_side = ("agent" if channel in call.agent_channels
                                      or self._agent_by_channel(channel) else "caller")

    on_SoftHangupRequest = on_HangupRequest

    def on_Hangup(self, e: dict) -> None:
        call = self._call(e, create=False)
        if call is None:
            return
        call.channels.pop(e.get("Uniqueid"), None)
        self.channel_call.pop(e.get("Channel", ""), None)
        if not call.channels and call.ended_at is None:
            self._finish(call)

    def on_DialEnd(self, e: dict) -> None:
        call = self._call(e, create=False)
        if call is None:
            return
        status = e.get("DialStatus", "")
        dest = e.get("DestChannel", "")
        agent = call.agent_channels.get(dest)
        if agent:
            offer = call.offer_for(agent)
            if offer and offer.result == RINGING and status != "ANSWER":
                self._end_offer(call, offer, NOANSWER if status == "NOANSWER" else CANCELLED)
        elif call.direction == "outbound" and status == "ANSWER" and call.answered_at is None:
            call.answered_at = self.clock()
            call.state = "answered"
            self._publish_call(ev.CALL_ANSWERED, call, agent=call.agent)

    def on_OriginateResponse(self, e: dict) -> None:
        if e.get("Response") == "Failure":
            call = self._call(e, create=False) if e.get("Linkedid") else None
            if call is not None and call.answered_at is None:
                call.outcome = "failed"

    # ---- queue caller ------------------------------------------------------------------
    def on_QueueCallerJoin(self, e: dict) -> None:
        call = self._call(e)
        call.queue = e.get("Queue")
        call.caller_channel = e.get("Channel")
        number, name = e.get("CallerIDNum", ""), e.get("CallerIDName", "")
        call.caller_number = None if number in UNKNOWN else number
        call.caller_e164 = self.normalize_number(number) if call.caller_number else None
        call.caller_name = None if name in UNKNOWN else name
        if call.state == "new":
            call.state = "queued"
            call.queued_at = self.clock()
        self._publish_call(ev.CALL_QUEUED, call)
        self._stats_changed(call.queue)

    def on_AgentCalled(self, e: dict) -> None:
        call = self._call(e)
        interface = e.get("Interface", "")
        agent = self.agent(interface, e.get("MemberName"))
        now = self.clock()
        offer = Offer(agent=interface, member_name=e.get("MemberName", ""), at=now,
                      channel=e.get("DestChannel"))
        call.offers.append(offer)
        if e.get("DestChannel"):
            call.agent_channels[e["DestChannel"]] = interface
        if call.first_offered_at is None:
            call.first_offered_at = now
            self.stats(call.queue or e.get("Queue", "")).offered += 1
        if call.state in ("new", "queued"):
            call.state = "ringing"
        agent.ringing_call = call.call_id
        self._publish_call(ev.CALL_OFFERED, call, agent=interface)
        self._agent_changed(agent)

    def _end_offer(self, call: Call, offer: Offer, result: str) -> None:
        offer.result = result
        offer.ring_seconds = round(self.clock() - offer.at)
        agent = self.agents.get(offer.agent)
        if agent and agent.ringing_call == call.call_id:
            agent.ringing_call = None
            self._agent_changed(agent)
        self._publish_call(ev.CALL_OFFER_ENDED, call, agent=offer.agent, result=result)

    def on_AgentRingNoAnswer(self, e: dict) -> None:
        call = self._call(e, create=False)
        if call is None:
            return
        offer = call.offer_for(e.get("Interface", ""))
        if offer and offer.result == RINGING:
            self._end_offer(call, offer, NOANSWER)
            offer.ring_seconds = _num(e.get("RingTime"), offer.ring_seconds)
        if call.state == "ringing" and not any(o.result == RINGING for o in call.offers):
            call.state = "queued"

    def on_AgentConnect(self, e: dict) -> None:
        call = self._call(e)
        interface = e.get("Interface", "")
        agent = self.agent(interface, e.get("MemberName"))
        now = self.clock()
        offer = call.offer_for(interface)
        if offer is None:
            offer = Offer(agent=interface, member_name=e.get("MemberName", ""), at=now)
            call.offers.append(offer)
        offer.result = ANSWERED
        offer.ring_seconds = _num(e.get("RingTime"), offer.ring_seconds)
        for other in call.offers:
            if other is not offer and other.result == RINGING:
                self._end_offer(call, other, CANCELLED)
        call.agent, call.agent_name = interface, e.get("MemberName")
        if e.get("DestChannel"):
            call.agent_channels[e["DestChannel"]] = interface
        call.wait_seconds = _num(e.get("HoldTime"))
        if call.answered_at is None:
            call.answered_at = now
            stats = self.stats(call.queue or e.get("Queue", ""))
            stats.answered += 1
            stats.total_wait_answered += call.wait_seconds or 0
            if (call.wait_seconds or 0) <= self.sl_seconds:
                stats.answered_within_sl += 1
        call.state = "answered"
        if agent.ringing_call == call.call_id:
            agent.ringing_call = None
        agent.current_call = call.call_id
        self._publish_call(ev.CALL_ANSWERED, call, agent=interface)
        self._agent_changed(agent)
        self._stats_changed(call.queue)

    def on_AgentComplete(self, e: dict) -> None:
        call = self._call(e, create=False)
        if call is None:
            return
        interface = e.get("Interface", "")
        call.talk_seconds = _num(e.get("TalkTime"), call.talk_seconds)
        call.wait_seconds = _num(e.get("HoldTime"), call.wait_seconds)
        reason = e.get("Reason")
        if reason in ("agent", "caller", "transfer") and not call.transfers:
            call.ended_by = reason
        call.completed = True
        self.stats(call.queue or e.get("Queue", "")).total_talk += call.talk_seconds or 0
        agent = self.agents.get(interface)
        if agent and agent.current_call == call.call_id:
            agent.current_call = None
            agent.last_call_id, agent.last_call_at = call.call_id, self.clock()
            self._agent_changed(agent)
        if call.ended_at is not None:  # late: correct the published final figures
            self._publish_call(ev.CALL_ENDED, call)

    def on_QueueCallerAbandon(self, e: dict) -> None:
        call = self._call(e)
        call.outcome = "abandoned"
        call.abandon_position = _num(e.get("Position"))
        call.abandon_original_position = _num(e.get("OriginalPosition"))
        call.wait_seconds = _num(e.get("HoldTime"))
        call.ended_by = "caller"
        stats = self.stats(call.queue or e.get("Queue", ""))
        stats.abandoned += 1
        if (call.wait_seconds or 0) < self.short_abandon:
            stats.short_abandoned += 1
        for offer in call.offers:
            if offer.result == RINGING:
                self._end_offer(call, offer, CANCELLED)
        self._publish_call(ev.CALL_ABANDONED, call)
        if call.ended_at is not None:
            self._publish_call(ev.CALL_ENDED, call)

    def on_QueueCallerLeave(self, e: dict) -> None:
        call = self._call(e, create=False)
        if call is not None and call.state in ("queued", "ringing") and call.outcome is None:
            call.state = "leaving"
        if call is not None:
            self._stats_changed(call.queue)

    # ---- hold --------------------------------------------------------------------------
    def _hold(self, e: dict, on: bool) -> None:
        call = self._call(e, create=False)
        if call is None or call.answered_at is None or call.ended_at is not None:
            return
        now = self.clock()
        if on and call.hold_started is None:
            call.hold_started = now
        elif not on and call.hold_started is not None:
            call.hold_seconds += round(now - call.hold_started)
            call.hold_started = None

    def on_MusicOnHoldStart(self, e: dict) -> None:
        self._hold(e, True)

    def on_MusicOnHoldStop(self, e: dict) -> None:
        self._hold(e, False)

    def on_Hold(self, e: dict) -> None:
        self._hold(e, True)

    def on_Unhold(self, e: dict) -> None:
        self._hold(e, False)

    # ---- transfers ---------------------------------------------------------------------
    def on_BlindTransfer(self, e: dict) -> None:
        if e.get("Result") not in (None, "Success"):
            return
        linkedid = e.get("TransfereeLinkedid") or e.get("TransfererLinkedid") or ""
        self.note_transfer(linkedid, "blind", e.get("Extension"))

    def note_transfer(self, call_id: str, kind: str, target: str | None) -> None:
        """A blind transfer: the call now goes to ``target``; whoever answers there takes it.

        Asterisk reports feature-code transfers (BlindTransfer); a Redirect asked through AMI
        has no such event, so the bridge tells the tracker itself after a successful Redirect.
        """
        call = self.calls.get(call_id)
        if call is None or (call.transfers and call.transfers[-1]["to"] == target
                            and call.state == "transferring"):
            return
        from_agent = call.agent
        call.transfers.append({"kind": kind, "from_agent": from_agent, "to": target,
                               "to_agent": None, "at": self.clock()})
        self._agent_leaves(call, from_agent)
        call.outcome = "transferred"
        call.ended_by = "transfer"
        call.state = "transferring"
        self._publish_call(ev.CALL_TRANSFERRED, call, from_agent=from_agent, to_agent=None)

    def on_AttendedTransfer(self, e: dict) -> None:
        if e.get("Result") not in (None, "Success"):
            return
        call = self.calls.get(e.get("OrigTransfererLinkedid") or "")
        if call is None:
            call = self.calls.get(e.get("TransfereeLinkedid") or "")
        if call is None:
            return
        consult_id = e.get("SecondTransfererLinkedid")
        target_channel = e.get("TransferTargetChannel") or ""
        consult = self.calls.get(consult_id) if consult_id != call.call_id else None
        to_agent = self._agent_by_channel(target_channel)
        if consult is not None:
            to_agent = to_agent or next((o.agent for o in consult.offers), None)
            # the consultation call becomes part of this call: its channels end here
            for uid, channel in consult.channels.items():
                call.channels[uid] = channel
                self.channel_call[channel] = call.call_id
            call.agent_channels.update(consult.agent_channels)
            del self.calls[consult.call_id]
        from_agent = call.agent
        call.transfers.append({"kind": "attended", "from_agent": from_agent,
                               "to": channel_owner(target_channel) or None,
                               "to_agent": to_agent, "at": self.clock()})
        self._agent_leaves(call, from_agent)
        call.outcome = "transferred"
        call.ended_by = "transfer"
        if to_agent:
            self._agent_takes(call, to_agent, target_channel)
        self._publish_call(ev.CALL_TRANSFERRED, call, from_agent=from_agent, to_agent=to_agent)

    def _agent_leaves(self, call: Call, interface: str | None) -> None:
        agent = self.agents.get(interface or "")
        if agent and agent.current_call == call.call_id:
            agent.current_call = None
            agent.last_call_id, agent.last_call_at = call.call_id, self.clock()
            self._agent_changed(agent)

    def _agent_takes(self, call: Call, interface: str, channel: str | None) -> None:
        agent = self.agent(interface)
        call.agent, call.agent_name = interface, agent.name
        if channel:
            call.agent_channels[channel] = interface
        if call.transfers and call.transfers[-1]["to_agent"] is None:
            call.transfers[-1]["to_agent"] = interface
        call.state = "answered"
        agent.ringing_call = None
        agent.current_call = call.call_id
        self._publish_call(ev.CALL_ANSWERED, call, agent=interface)
        self._agent_changed(agent)

    def on_BridgeEnter(self, e: dict) -> None:
        """After a blind transfer, the new agent's channel entering the bridge takes the call."""
        call = self._call(e, create=False)
        if call is None or not call.transfers or call.ended_at is not None:
            return
        channel = e.get("Channel", "")
        interface = call.agent_channels.get(channel) or self._agent_by_channel(channel)
        if interface and interface != call.agent:
            self._agent_takes(call, interface, channel)

    # ---- end of call -------------------------------------------------------------------
    def _finish(self, call: Call) -> None:
        now = self.clock()
        call.ended_at = now
        call.state = "ended"
        if call.hold_started is not None:
            call.hold_seconds += round(now - call.hold_started)
            call.hold_started = None
        if call.outcome is None:
            if call.answered_at is not None:
                call.outcome = "answered"
            elif call.queue:
                call.outcome = "abandoned"
                call.ended_by = "caller"
            else:
                call.outcome = "no_answer"
        if call.answered_at is not None and (call.transfers or (call.talk_seconds is None
                                                                and not call.completed)):
            call.talk_seconds = round(now - call.answered_at) - call.hold_seconds
        if call.ended_by is None and call.answered_at is not None:
            call.ended_by = call.first_hangup_side
        for offer in call.offers:
            if offer.result == RINGING:
                self._end_offer(call, offer, CANCELLED)
        for interface in {call.agent, *call.agent_channels.values()} - {None}:
            agent = self.agents.get(interface)
            if agent and agent.current_call == call.call_id:
                agent.current_call = None
                agent.last_call_id, agent.last_call_at = call.call_id, now
                self._agent_changed(agent)
        del self.calls[call.call_id]
        self.ended[call.call_id] = call
        while len(self.ended) > self.ended_memory:
            self.ended.popitem(last=False)
        self._publish_call(ev.CALL_ENDED, call)
        self._stats_changed(call.queue)

    # ---- agents ------------------------------------------------------------------------
    def _member(self, e: dict, name_key: str = "MemberName", iface_key: str = "Interface"):
        interface = e.get(iface_key, "")
        agent = self.agent(interface, e.get(name_key))
        queue = e.get("Queue", "")
        paused = e.get("Paused") == "1"
        agent.queues[queue] = {"paused": paused, "reason": e.get("PausedReason") or None,
                               "penalty": _num(e.get("Penalty"), 0)}
        agent.device_status = _num(e.get("Status"), agent.device_status)
        self._refresh_pause(agent)
        return agent

    def _refresh_pause(self, agent: AgentState) -> None:
        paused_queues = [q for q in agent.queues.values() if q["paused"]]
        paused = bool(agent.queues) and len(paused_queues) == len(agent.queues)
        if paused and not agent.paused:
            agent.paused_since = self.clock()
        if not paused:
            agent.paused_since = None
        agent.paused = paused
        agent.pause_reason = paused_queues[0]["reason"] if paused else None

    def on_QueueMemberAdded(self, e: dict) -> None:
        self._agent_changed(self._member(e))

    def on_QueueMemberPause(self, e: dict) -> None:
        self._agent_changed(self._member(e))

    def on_QueueMemberPenalty(self, e: dict) -> None:
        self._agent_changed(self._member(e))

    def on_QueueMemberStatus(self, e: dict) -> None:
        agent = self.agents.get(e.get("Interface", ""))
        known = agent is not None and e.get("Queue", "") in agent.queues
        agent = self._member(e)
        if not known:
            self._agent_changed(agent)

    def on_QueueMemberRemoved(self, e: dict) -> None:
        agent = self.agent(e.get("Interface", ""), e.get("MemberName"))
        agent.queues.pop(e.get("Queue", ""), None)
        self._refresh_pause(agent)
        self._agent_changed(agent)

    def on_QueueMember(self, e: dict) -> None:
        """One member in a QueueStatus answer (``Name``/``Location`` instead of
        ``MemberName``/``Interface``)."""
        self._agent_changed(self._member(e, "Name", "Location"))

    def set_wrapup(self, interface: str, call_id: str | None) -> AgentState:
        """After-call work is the console's to declare: start with a call id, end with None."""
        agent = self.agent(interface)
        agent.wrapup_call = call_id
        self._agent_changed(agent)
        return agent

    # ---- resynchronisation -------------------------------------------------------------
    def resync(self, channels: list[dict], queue_members: list[dict],
               queue_entries: list[dict], since: int | None = None) -> None:
        """Rebuild state from CoreShowChannels and QueueStatus answers after a (re)connect.

        Calls still up are kept once (by Linkedid) or created; calls that ended while the link
        was down are finished; queue membership is replaced by what the PBX reports.
        ``since`` is ``events_handled`` when the lists were requested: calls that live events
        touched after that are newer than the lists and left alone.
        """
        since = self.events_handled if since is None else since
        live: dict[str, list[dict]] = {}
        for ch in channels:
            if ch.get("Linkedid"):
                live.setdefault(ch["Linkedid"], []).append(ch)
        for call in list(self.calls.values()):
            if call.call_id not in live and call.touched <= since:
                call.channels.clear()
                self._finish(call)
        entries = {en.get("Uniqueid"): en for en in queue_entries}
        for linkedid, legs in live.items():
            call = self.calls.get(linkedid)
            if call is not None and call.touched > since:
                continue
            if linkedid in self.ended:
                continue
            if call is None:
                call = Call(call_id=linkedid, created_at=self.clock())
                self.calls[linkedid] = call
            call.channels = {leg.get("Uniqueid"): leg.get("Channel", "") for leg in legs}
            for leg in legs:
                self.channel_call[leg.get("Channel", "")] = linkedid
                if leg.get("Uniqueid") == linkedid:
                    self._caller_from(call, leg)
                entry = entries.get(leg.get("Uniqueid"))
                if entry and call.queue is None:
                    self._caller_from(call, entry)
                    call.queue = entry.get("Queue")
                    call.caller_channel = leg.get("Channel")
                    call.queued_at = self.clock() - (_num(entry.get("Wait"), 0) or 0)
                    call.state = "queued"
                agent = self._agent_by_channel(leg.get("Channel", ""))
                if agent and leg.get("BridgeId") and call.answered_at is None:
                    call.agent_channels[leg.get("Channel", "")] = agent
                    call.agent, call.agent_name = agent, self.agents[agent].name
                    call.answered_at = self.clock() - (_num(leg.get("Duration"), 0) or 0)
                    call.state = "answered"
                    self.agents[agent].current_call = linkedid
        members: dict[str, dict] = {}
        for m in queue_members:
            members.setdefault(m.get("Location", ""), {})[m.get("Queue", "")] = m
        for interface, agent in self.agents.items():
            if interface not in members and agent.queues and agent.touched <= since:
                agent.queues.clear()
                self._refresh_pause(agent)
        for interface, queues in members.items():
            if interface in self.agents and self.agents[interface].touched > since:
                continue
            agent = self.agent(interface)
            agent.queues = {}
            for m in queues.values():
                self._member(m, "Name", "Location")
        for agent in self.agents.values():
            if agent.current_call and agent.current_call not in self.calls:
                agent.current_call = None
            if agent.ringing_call and agent.ringing_call not in self.calls:
                agent.ringing_call = None
            self._agent_changed(agent)
        for call in self.calls.values():
            self._publish_call(ev.CALL_ANSWERED if call.answered_at else ev.CALL_QUEUED, call,
                               agent=call.agent, resync=True)

    def snapshot(self) -> dict:
        now = self.clock()
        return {"calls": [c.to_dict() for c in self.calls.values()],
                "agents": [a.to_dict() for a in self.agents.values()],
                "queues": [s.to_dict(now) for s in self.queue_stats.values()]}
