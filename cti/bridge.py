"""The CTI bridge process: AMI in, tracker, bus out; telephony commands in from the bus."""
from __future__ import annotations

import asyncio
import json
import logging
import time

import redis

from console.phones import try_normalize
from cti.actions import ActionRefused, TelephonyActions
from cti.ami_client import AMIConnection
from cti.bus import EventBus
from cti.tracker import Tracker

log = logging.getLogger(__name__)
GROUP = "bridge"


class Bridge:
    def __init__(self, cfg, redis_client: redis.Redis):
        ami, cti = cfg.section("ami"), cfg.section("cti")
        region = cfg.get("phone.default_region", "FR")
        self.cfg = cti
        self.redis = redis_client
        self.bus = EventBus(redis_client, cti["events_channel"], cti["events_stream"],
                            cti["events_stream_maxlen"])
        self.tracker = Tracker(self.bus.publish,
                               normalize_number=lambda n: try_normalize(n, region),
                               service_level_seconds=cti["service_level_seconds"],
                               short_abandon_seconds=cti["short_abandon_seconds"])
        self.conn = AMIConnection(ami["host"], int(ami["port"]), ami["username"], ami["secret"],
                                  on_event=self.tracker.handle, on_ready=self.resync,
                                  reconnect_min=ami["reconnect_min_seconds"],
                                  reconnect_max=ami["reconnect_max_seconds"],
                                  ping_interval=ami["ping_interval_seconds"],
                                  ping_timeout=ami["ping_timeout_seconds"])
        self.actions = TelephonyActions(self.conn, self.tracker, cti)
        self._stop = asyncio.Event()

    async def resync(self) -> None:
        since = self.tracker.events_handled
        channels = await self.conn.action({"Action": "CoreShowChannels"}, as_list=True,
                                          timeout=10)
        status = await self.conn.action({"Action": "QueueStatus"}, as_list=True, timeout=10)
        self.tracker.resync(channels,
                            [e for e in status if e.get("Event") == "QueueMember"],
                            [e for e in status if e.get("Event") == "QueueEntry"], since)
        log.info("bridge: resynchronised (%d calls, %d agents)", len(self.tracker.calls),
                 len(self.tracker.agents))

    # ---- commands ----------------------------------------------------------------------
    async def execute(self, name: str, args: dict) -> dict | None:
        a = self.actions
        handlers = {
            "originate": lambda: a.originate(args["interface"], args["number"],
                                             args.get("customer_name", ""),
                                             args.get("customer_id")),
            "queue_login": lambda: a.queue_login(args["interface"], args["queues"],
                                                 args.get("member_name", ""),
                                                 args.get("paused", False),
                                                 args.get("reason", "")),
            "queue_logout": lambda: a.queue_logout(args["interface"], args["queues"]),
            "pause": lambda: a.pause(args["interface"], args.get("reason", "")),
            "unpause": lambda: a.unpause(args["interface"]),
            "hangup": lambda: a.hangup(args["call_id"], args["interface"]),
            "transfer_blind": lambda: a.transfer_blind(args["call_id"], args["interface"],
                                                       args["target"]),
            "transfer_attended": lambda: a.transfer_attended(args["call_id"],
                                                             args["interface"], args["target"]),
            "spy": lambda: a.spy(args["supervisor_interface"], args["agent_interface"],
                                 args["mode"]),
        }
        if name == "wrapup":
            self.tracker.set_wrapup(args["interface"], args.get("call_id"))
            return None
        if name == "snapshot":
            return self.tracker.snapshot()
        if name not in handlers:
            raise ActionRefused(f"commande inconnue : {name}")
        return await handlers[name]()

    def _reply(self, request: dict, reply: dict) -> None:
        key = request.get("reply_to")
        if key:
            pipe = self.redis.pipeline()
            pipe.rpush(key, json.dumps(reply, ensure_ascii=False))
            pipe.expire(key, 60)
            pipe.execute()

    async def handle_command(self, request: dict) -> None:
        if request.get("expires_at", float("inf")) < time.time():
            self._reply(request, {"ok": False, "error": "demande expirée"})
            return
        try:
            result = await self.execute(request["name"], request.get("args", {}))
            reply = {"ok": True, "result": result}
        except ActionRefused as exc:
            reply = {"ok": False, "error": str(exc)}
        except (KeyError, TypeError) as exc:
            reply = {"ok": False, "error": f"demande incomplète : {exc}"}
        except Exception as exc:  # never lose the reply, never kill the loop
            log.exception("bridge: command %s failed", request.get("name"))
            reply = {"ok": False, "error": f"erreur interne : {exc}"}
        self._reply(request, reply)

    async def serve_commands(self) -> None:
        stream = self.cfg["commands_stream"]
        while not self._stop.is_set():
            try:
                try:
                    # from the start of the stream: a command sent before the bridge was up is
                    # still served (or refused as expired), never silently dropped
                    self.redis.xgroup_create(stream, GROUP, id="0", mkstream=True)
                except redis.ResponseError as exc:
                    if "BUSYGROUP" not in str(exc):
                        raise
                while not self._stop.is_set():
                    answer = await asyncio.to_thread(
                        self.redis.xreadgroup, GROUP, "bridge-1", {stream: ">"}, count=50,
                        block=500)
                    for _, entries in answer or []:
                        for entry_id, fields in entries:
                            try:
                                request = json.loads(fields[b"command"])
                            except (KeyError, ValueError):
                                log.warning("bridge: unreadable command %r", fields)
                            else:
                                await self.handle_command(request)
                            self.redis.xack(stream, GROUP, entry_id)
                    self.bus.flush()
            except redis.RedisError as exc:
                log.warning("bridge: Redis unavailable for commands (%s), retrying", exc)
                await asyncio.sleep(1)

    async def run(self) -> None:
        try:
            self.bus.reset_state()
        except redis.RedisError:
            log.warning("bridge: Redis unavailable at start; events will be buffered")
        await self.conn.start()
        commands = asyncio.create_task(self.serve_commands())
        try:
            await self._stop.wait()
        finally:
            commands.cancel()
            await self.conn.stop()

    def stop(self) -> None:
        self._stop.set()
