"""The live side of the console: bus events in, screen pops and states out to browsers.

One consumer per deployment reads the bus stream (a Redis consumer group: with several web
workers each event is handled once) and emits through Socket.IO's Redis message queue, so
every worker's browsers get it. What a browser needs after a reload or a reconnect — its pop,
its call, its agent state — is kept in Redis and the database, not in the browser.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import time

import redis

from console.calls import audit, build_pop, record_call_end
from console.segmentation.engine import rescore
from console.users import user_for_interface
from cti.bus import BusReader, CommandError
from web.extensions import socketio

log = logging.getLogger(__name__)
GROUP = "web"
POP_TTL = 8 * 3600
CALL_TTL = 24 * 3600


def agent_room(interface: str) -> str:
    return f"agent:{interface}"


SUPERVISORS = "supervisors"


class LiveHub:
    def __init__(self, app, cfg, redis_client: redis.Redis):
        self.app = app
        self.cfg = cfg
        self.redis = redis_client
        self.stream = cfg.get("cti.events_stream")
        self.reader = BusReader(redis_client, self.stream)
        self.consumer = f"{socket.gethostname()}-{os.getpid()}"
        self.running = False
        self.handled = 0

    # ---- state kept for reconnecting browsers -----------------------------------------
    def pop_for(self, interface: str) -> dict | None:
        raw = self.redis.get(f"relais:pop:{interface}")
        return json.loads(raw) if raw else None

    def set_pop(self, interface: str, pop: dict) -> None:
        self.redis.set(f"relais:pop:{interface}", json.dumps(pop, ensure_ascii=False),
                       ex=POP_TTL)

    def clear_pop(self, interface: str, call_id: str) -> None:
        pop = self.pop_for(interface)
        if pop and pop["call_id"] == call_id:
            self.redis.delete(f"relais:pop:{interface}")

    def call(self, call_id: str) -> dict | None:
        """The call as last published: live from the bus state, or recently ended."""
        raw = self.redis.hget("relais:state:calls", call_id) or self.redis.get(
            f"relais:call:{call_id}")
        return json.loads(raw) if raw else None

    def agent_state(self, interface: str) -> dict | None:
        raw = self.redis.hget("relais:state:agents", interface)
        return json.loads(raw) if raw else None

    # ---- consumer ----------------------------------------------------------------------
    def start(self) -> None:
        if not self.running:
            self.running = True
            socketio.start_background_task(self.run)

    def stop(self) -> None:
        self.running = False

    def run(self) -> None:
        while self.running:
            try:
                try:
                    self.redis.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
                except redis.ResponseError as exc:
                    if "BUSYGROUP" not in str(exc):
                        raise
                while self.running:
                    answer = self.redis.xreadgroup(GROUP, self.consumer, {self.stream: ">"},
                                                   count=100, block=500)
                    for _, entries in answer or []:
                        for entry_id, fields in entries:
                            try:
                                self.handle(json.loads(fields[b"event"]))
                            except Exception:
                                log.exception("live: event %s not handled", entry_id)
                            self.redis.xack(self.stream, GROUP, entry_id)
            except redis.RedisError as exc:
                log.warning("live: Redis unavailable (%s), retrying", exc)
                time.sleep(1)

    def handle(self, event: dict) -> None:
        self.handled += 1
        kind = event["type"]
        with self.app.app_context():
            if kind == "agent.state":
                payload = event["agent_state"]
                socketio.emit("agent_state", payload, to=agent_room(event["agent"]))
                socketio.emit("agent_state", payload, to=SUPERVISORS)
            elif kind == "queue.stats":
                socketio.emit("queue_stats", event["stats"], to=SUPERVISORS)
            elif kind.startswith("call."):
                self._call_event(kind, event)

    def _session(self):
        return self.app.extensions["relais.sessions"]()

    def _call_event(self, kind: str, event: dict) -> None:
        call = event["call"]
        agent = event.get("agent")
        socketio.emit("call", {"type": kind, "call": call}, to=SUPERVISORS)
        if kind in ("call.offered", "call.answered") and agent:
            pop = self.pop_for(agent)
            fresh = pop is None or pop["call_id"] != call["call_id"]
            if fresh:
                with self._session() as session:
                    pop = build_pop(session, call, self.cfg)
            else:
                pop["call"] = call
            # stored before it is sent: the browser asks for the call's script at once
            self.set_pop(agent, pop)
            socketio.emit("pop", pop, to=agent_room(agent))
            if fresh and pop["customer_id"]:
                with self._session() as session:
                    user = user_for_interface(session, agent, self.cfg.get("cti.agent_interface"))
                    audit(session, user.username if user else agent, "view", pop["customer_id"],
                          via="screen_pop", call_id=call["call_id"])
                    session.commit()
        elif kind == "call.offer_ended" and agent:
            if event.get("result") != "answered":
                self.clear_pop(agent, call["call_id"])
                socketio.emit("offer_ended", {"call_id": call["call_id"]},
                              to=agent_room(agent))
        elif kind == "call.transferred":
            if event.get("from_agent"):
                socketio.emit("call", {"type": kind, "call": call},
                              to=agent_room(event["from_agent"]))
        elif kind == "call.ended":
            self._ended(call)

    def _ended(self, call: dict) -> None:
        self.redis.set(f"relais:call:{call['call_id']}", json.dumps(call, ensure_ascii=False),
                       ex=CALL_TTL)
        agent = call.get("agent")
        customer_id = None
        if agent:
            pop = self.pop_for(agent)
            if pop and pop["call_id"] == call["call_id"]:
                pop["call"] = call
                self.set_pop(agent, pop)
                customer_id = pop.get("customer_id")
        with self._session() as session:
            row = record_call_end(session, call, customer_id)
            if row.customer_id:
                rescore(session, row.customer_id, self.cfg)  # the next call shows it
            user = (user_for_interface(session, agent, self.cfg.get("cti.agent_interface"))
                    if agent else None)
            session.commit()
        if agent:
            socketio.emit("call", {"type": "call.ended", "call": call}, to=agent_room(agent))
        if user is not None and call.get("answered_at") and self.cfg.get(
                "web.auto_wrapup_pause", True):
            self._start_wrapup(agent, call["call_id"])

    def _start_wrapup(self, interface: str, call_id: str) -> None:
        """After-call work: the agent gets no new call until the wrap-up is saved."""
        commands = self.app.extensions["relais.commands"]
        try:
            commands.request("wrapup", interface=interface, call_id=call_id)
            commands.request("pause", interface=interface,
                             reason=self.cfg.get("web.wrapup_pause_reason"))
        except CommandError as exc:
            log.warning("live: wrap-up pause of %s failed: %s", interface, exc)
