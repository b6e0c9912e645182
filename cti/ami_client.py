"""AMI connection (the "runner" of the bridge), built on panoramisk.

panoramisk gives the asyncio Manager, action ids and response futures. What it lacks, as
measured in ../shared/stack.md and read in its source, is fixed here:
- it decodes each TCP read on its own, dropping a UTF-8 character split across two reads:
  our protocol feeds :class:`cti.frames.AMIFrameParser` (incremental decoder) instead;
- a malformed frame is now logged and counted, and the link stays up;
- it reconnects at a fixed delay: we back off exponentially with jitter, and a ping that gets
  no answer closes a half-dead link so that the reconnect starts;
- it guesses from the response text whether an action returns a list (``QueueAdd`` is taken
  for one and its future never resolves): every action here says so explicitly;
- ``Response: Error`` is returned like a success: :meth:`AMIConnection.action` raises
  :class:`AMIActionError` with Asterisk's message;
- after each login ``on_ready`` runs (the bridge resynchronises calls and queues there).
"""
from __future__ import annotations

import asyncio
import logging
import random
from typing import Awaitable, Callable

from panoramisk import actions as pk_actions
from panoramisk.ami_protocol import AMIProtocol
from panoramisk.manager import Manager
from panoramisk.message import Message

from cti.frames import AMIFrameParser

log = logging.getLogger(__name__)

EventHandler = Callable[[dict], None]


class AMIError(Exception):
    pass


class AMIActionError(AMIError):
    """Asterisk answered ``Response: Error`` (the message says why)."""

    def __init__(self, action: str, message: str):
        super().__init__(f"{action}: {message}")
        self.action = action
        self.message = message


class AMINotConnected(AMIError):
    pass


class RelaisAMIProtocol(AMIProtocol):
    def connection_made(self, transport):
        super().connection_made(transport)
        self.parser = AMIFrameParser()

    def data_received(self, data: bytes) -> None:
        for frame in self.parser.feed(data):
            if self.version is None and self.parser.banner:
                self.version = self.parser.banner.partition("/")[2]
            self.handle_frame(frame)

    def handle_frame(self, frame: dict) -> None:
        action_id = frame.get("ActionID")
        pending = self.responses.get(action_id) if action_id else None
        if pending is not None:
            message = Message(frame)
            if frame.get("Response") in ("Error", "Failure", "Fail"):
                # panoramisk would wait forever for the rest of a list that never comes
                if not pending.future.done():
                    pending.future.set_result(message)
                self.responses.pop(pending.id, None)
            elif pending.add_message(message):
                self.responses.pop(pending.id, None)
        elif "Response" in frame and action_id:
            log.debug("AMI: response to an unknown action %s", action_id)
        if "Event" in frame:
            if frame["Event"] == "Shutdown":
                log.warning("AMI: the PBX is shutting down")
            self.factory.on_event(frame)


class AMIConnection(Manager):
    """A logged-in, self-healing AMI link."""

    def __init__(self, host: str, port: int, username: str, secret: str,
                 on_event: EventHandler, on_ready: Callable[[], Awaitable[None]] | None = None,
                 loop: asyncio.AbstractEventLoop | None = None, reconnect_min: float = 0.5,
                 reconnect_max: float = 30.0, ping_interval: float = 10.0,
                 ping_timeout: float = 5.0, login_action_id: str = "login"):
        super().__init__(host=host, port=port, loop=loop, protocol_factory=RelaisAMIProtocol,
                         ping_delay=3600, ping_interval=3600, encoding="utf8")
        self.username, self.secret = username, secret
        self.on_event_handler = on_event
        self.on_ready = on_ready
        self.reconnect_min, self.reconnect_max = reconnect_min, reconnect_max
        self._delay = reconnect_min
        self.ping_every, self.ping_timeout = ping_interval, ping_timeout
        self.login_action_id = login_action_id
        self.ready = asyncio.Event()
        self.connections = 0
        self._stopped = False
        self._watchdog: asyncio.Task | None = None
        self._ready_task: asyncio.Task | None = None

    # ---- events ------------------------------------------------------------------------
    def on_event(self, frame: dict) -> None:
        try:
            self.on_event_handler(frame)
        except Exception:  # a bug in one handler must not kill the link
            log.exception("AMI: event handler failed on %s", frame.get("Event"))

    # ---- connection lifecycle ----------------------------------------------------------
    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.connect()

    def connection_made(self, f) -> None:
        if self._stopped:
            return
        try:
            transport, protocol = f.result()
        except OSError as exc:
            log.warning("AMI: cannot connect to %s:%s (%s)", self.config["host"],
                        self.config["port"], exc)
            self._schedule_reconnect()
            return
        self._connected = True
        self.protocol = protocol
        protocol.factory = self
        protocol.log = log
        protocol.encoding = "utf8"
        self.responses = protocol.responses
        self.connections += 1
        self._ready_task = self.loop.create_task(self._login_and_ready())

    async def _login_and_ready(self) -> None:
        try:
            await self.action({"Action": "Login", "Username": self.username,
                               "Secret": self.secret, "Events": "on",
                               "ActionID": self.login_action_id}, timeout=10)
        except (AMIError, asyncio.TimeoutError) as exc:
            log.error("AMI: login failed: %s", exc)
            self.protocol.transport.close()
            return
        self._delay = self.reconnect_min
        log.info("AMI: logged in to %s:%s (%s)", self.config["host"], self.config["port"],
                 self.protocol.version or "unknown version")
        self.ready.set()
        if self._watchdog is None or self._watchdog.done():
            self._watchdog = self.loop.create_task(self._ping_loop())
        if self.on_ready is not None:
            try:
                await self.on_ready()
            except Exception:
                log.exception("AMI: resynchronisation failed")

    def connection_lost(self, exc) -> None:
        self._connected = False
        self.ready.clear()
        if self._stopped:
            return
        log.warning("AMI: connection lost (%s)", exc or "closed by the PBX")
        self._schedule_reconnect()

    def _schedule_reconnect(self) -> None:
        if self._stopped:
            return
        delay = self._delay * random.uniform(0.8, 1.2)
        self._delay = min(self.reconnect_max, self._delay * 2)
        log.info("AMI: reconnecting in %.1f s", delay)
        self.loop.call_later(delay, self._reconnect)

    def _reconnect(self) -> None:
        if not self._stopped:
            self.connect()

    async def _ping_loop(self) -> None:
        while not self._stopped:
            await asyncio.sleep(self.ping_every)
            if not self.ready.is_set():
                continue
            try:
                await self.action({"Action": "Ping"}, timeout=self.ping_timeout)
            except (AMIError, asyncio.TimeoutError):
                log.warning("AMI: no answer to Ping, closing the link")
                if self.protocol and not self.protocol.closed:
                    self.protocol.transport.close()

    async def stop(self) -> None:
        self._stopped = True
        for task in (self._watchdog, self._ready_task):
            if task and not task.done():
                task.cancel()
        if self.protocol and not self.protocol.closed:
            try:
                self.protocol.send({"Action": "Logoff"})
            except Exception:
                pass
            self.protocol.close()

    # ---- actions -----------------------------------------------------------------------
    async def action(self, fields: dict, as_list: bool = False, timeout: float = 5.0):
        """Send an action; return its response frame (or, for lists, the list's events).

        Raises AMIActionError on ``Response: Error``, AMINotConnected when the link is down
        (actions are not queued for later: a late hang-up or dial would surprise the agent).
        """
        if not self._connected or self.protocol is None or self.protocol.closed:
            raise AMINotConnected("pas de connexion au PBX")
        action = pk_actions.Action(dict(fields), as_list=as_list)
        future = self.protocol.send(action, as_list=as_list)
        result = await asyncio.wait_for(asyncio.shield(future), timeout)
        first = result[0] if isinstance(result, list) else result
        if first.get("Response") in ("Error", "Failure", "Fail"):
            raise AMIActionError(fields.get("Action", "?"), first.get("Message", "erreur"))
        if as_list:
            return [_plain(m) for m in result[1:]
                    if not str(m.get("Event", "")).endswith("Complete")]
        return _plain(first)


def _plain(message) -> dict:
    data = dict(message)
    data.pop("content", None)
    return data
