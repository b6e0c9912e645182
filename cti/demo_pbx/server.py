"""The demo PBX's AMI server: Asterisk's manager protocol over TCP on loopback.

Speaks what the captures show: the ``Asterisk Call Manager/11.0.0`` banner, Login with
``Response: Success / Message: Authentication accepted`` then FullyBooted, actions answered
with their ActionID, list actions as ``EventList: start`` … ``…Complete``, ``Response: Error``
for what Asterisk refuses, Goodbye on Logoff. Pointing Relais at a real Asterisk is only a
change of host, port and credentials.
"""
from __future__ import annotations

import asyncio
import logging
import re
import socket
import time

from cti.demo_pbx.pbx import DemoPBX, Fields, PBXError
from cti.frames import AMIFrameParser, encode_frame

log = logging.getLogger(__name__)

BANNER = b"Asterisk Call Manager/11.0.0\r\n"


def parse_callerid(text: str) -> tuple[str, str]:
    """``"Jean Dupont" <0612345678>`` → ("Jean Dupont", "0612345678").

    The number is in the last ``<…>``; everything before it (quotes removed) is the name,
    which may itself contain ``<`` or ``>``.
    """
    text = (text or "").strip()
    if text.endswith(">") and "<" in text:
        name, _, number = text[:-1].rpartition("<")
        return name.strip().strip('"').strip(), number.strip()
    return "", text


def _variables(action: dict) -> dict:
    raw = action.get("Variable", [])
    items = raw if isinstance(raw, list) else [raw]
    out = {}
    for item in items:
        for part in item.split(","):
            key, sep, value = part.partition("=")
            if sep:
                out[key.strip()] = value.strip()
    return out


def _truthy(value) -> bool:
    return str(value).strip().lower() in ("true", "yes", "1", "on")


class AMISession(asyncio.Protocol):
    def __init__(self, server: "AMIServer"):
        self.server = server
        self.parser = AMIFrameParser(expect_banner=False, kinds=("Action",))
        self.transport: asyncio.Transport | None = None
        self.authenticated = False
        self.events = True
        self.username = ""

    def connection_made(self, transport) -> None:
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        transport.write(BANNER)
        self.server.sessions.add(self)

    def connection_lost(self, exc) -> None:
        self.server.sessions.discard(self)

    def data_received(self, data: bytes) -> None:
        for action in self.parser.feed(data):
            try:
                self.server.handle(self, action)
            except Exception:  # never let one action kill the server
                log.exception("demo PBX: action %s failed", action.get("Action"))
                self.respond(action, "Error", "Internal error")

    def send(self, fields) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(encode_frame(fields))

    def respond(self, action: dict, response: str, message: str | None = None,
                extra: Fields | None = None) -> None:
        fields: Fields = [("Response", response)]
        if "ActionID" in action:
            fields.append(("ActionID", action["ActionID"]))
        if message is not None:
            fields.append(("Message", message))
        fields.extend(extra or [])
        self.send(fields)


class AMIServer:
    def __init__(self, pbx_factory, users: dict[str, str], host: str = "127.0.0.1",
                 port: int = 5038, trace_path: str | None = None):
        self.users = users
        self.host, self.port = host, port
        self.sessions: set[AMISession] = set()
        self.pbx: DemoPBX = pbx_factory(self.broadcast)
        self._server: asyncio.base_events.Server | None = None
        self.started = time.time()
        self.trace = open(trace_path, "a") if trace_path else None

    async def start(self) -> "AMIServer":
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: AMISession(self), self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("demo PBX: AMI listening on %s:%s", self.host, self.port)
        return self

    async def stop(self) -> None:
        self.drop_clients()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def drop_clients(self) -> None:
        """Close every AMI connection (as an Asterisk restart does)."""
        for session in list(self.sessions):
            if session.transport is not None:
                session.transport.close()
        self.sessions.clear()

    def broadcast(self, fields: Fields) -> None:
        data = encode_frame(fields)
        for session in list(self.sessions):
            if session.authenticated and session.events and session.transport is not None \
                    and not session.transport.is_closing():
                session.transport.write(data)
        if self.trace is not None and fields[0] == ("Event", "AgentCalled"):
            # when the frame left for the bridge: the start of the pop latency (bench/)
            f = dict(fields)
            self.trace.write(f"{time.time():.6f} {f['Linkedid']} {f['Interface']}\n")
            self.trace.flush()

    # ---- actions -----------------------------------------------------------------------
    def handle(self, session: AMISession, action: dict) -> None:
        name = str(action.get("Action", "")).lower()
        if name == "login":
            return self._login(session, action)
        if name == "logoff":
            session.respond(action, "Goodbye", "Thanks for all the fish.")
            session.transport.close()
            return
        if not session.authenticated:
            return session.respond(action, "Error", "Permission denied")
        handler = getattr(self, f"action_{name}", None)
        if handler is None:
            return session.respond(action, "Error", "Invalid/unknown command")
        try:
            handler(session, action)
        except PBXError as exc:
            session.respond(action, "Error", str(exc))

    def _login(self, session: AMISession, action: dict) -> None:
        user, secret = action.get("Username", ""), action.get("Secret", "")
        if self.users.get(user) != secret:
            session.respond(action, "Error", "Authentication failed")
            return
        session.authenticated, session.username = True, user
        session.events = str(action.get("Events", "on")).lower() not in ("off", "no")
        session.respond(action, "Success", "Authentication accepted")
        uptime = int(time.time() - self.started)
        session.send([("Event", "FullyBooted"), ("Privilege", "system,all"),
                      ("Uptime", str(uptime)), ("LastReload", str(uptime)),
                      ("Status", "Fully Booted")])

    def _list(self, session: AMISession, action: dict, message: str, items: list[Fields],
              complete: str) -> None:
        session.respond(action, "Success", message, [("EventList", "start")])
        action_id = [("ActionID", action["ActionID"])] if "ActionID" in action else []
        for item in items:
            session.send(item + action_id)
        session.send([("Event", complete), *action_id, ("EventList", "Complete"),
                      ("ListItems", str(len(items)))])

    def action_ping(self, session, action):
        session.respond(action, "Success", None,
                        [("Ping", "Pong"), ("Timestamp", f"{time.time():.6f}")])

    def action_coresettings(self, session, action):
        session.respond(action, "Success", None, [("AMIversion", "11.0.0"),
                                                  ("AsteriskVersion", "22.10.1-relais-demo")])

    def action_queuestatus(self, session, action):
        self._list(session, action, "Queue status will follow",
                   self.pbx.queue_status(action.get("Queue")), "QueueStatusComplete")

    def action_queuesummary(self, session, action):
        self._list(session, action, "Queue summary will follow",
                   self.pbx.queue_summary(action.get("Queue")), "QueueSummaryComplete")

    def action_coreshowchannels(self, session, action):
        self._list(session, action, "Channels will follow", self.pbx.core_show_channels(),
                   "CoreShowChannelsComplete")

    def action_queueadd(self, session, action):
        self.pbx.queue_add(action.get("Queue", ""), action.get("Interface", ""),
                           action.get("MemberName", ""), int(action.get("Penalty") or 0),
                           _truthy(action.get("Paused", "false")), action.get("Reason", ""))
        session.respond(action, "Success", "Added interface to queue")

    def action_queueremove(self, session, action):
        self.pbx.queue_remove(action.get("Queue", ""), action.get("Interface", ""))
        session.respond(action, "Success", "Removed interface from queue")

    def action_queuepause(self, session, action):
        paused = _truthy(action.get("Paused", "true"))
        self.pbx.queue_pause(action.get("Interface", ""), paused, action.get("Reason", ""),
                             action.get("Queue"))
        session.respond(action, "Success", "Interface paused successfully" if paused
                        else "Interface unpaused successfully")

    def action_queuepenalty(self, session, action):
        self.pbx.queue_penalty(action.get("Interface", ""), int(action.get("Penalty") or 0),
                               action.get("Queue"))
        session.respond(action, "Success", "Interface penalty set successfully")

    def action_hangup(self, session, action):
        self.pbx.hangup(action.get("Channel", ""))
        session.respond(action, "Success", "Channel Hungup")

    def action_redirect(self, session, action):
        self.pbx.redirect(action.get("Channel", ""), action.get("Exten", ""),
                          action.get("Context", ""))
        session.respond(action, "Success", "Redirect successful")

    def action_atxfer(self, session, action):
        self.pbx.atxfer(action.get("Channel", ""), action.get("Exten", ""),
                        action.get("Context", ""))
        session.respond(action, "Success", "Atxfer successfully queued")

    def action_originate(self, session, action):
        channel = action.get("Channel", "")
        name, num = parse_callerid(action.get("CallerID", ""))
        variables = _variables(action)
        action_id = action.get("ActionID")
        m = re.match(r"^Local/([^@]+)@from-external(/n)?$", channel)
        if m:
            if m.group(1) not in self.pbx.queues:
                raise PBXError("Originate failed: no such queue")
            start = lambda: self.pbx.inbound(m.group(1), num, name, variables=variables,  # noqa
                                             action_id=action_id)
        elif channel.startswith(("PJSIP/", "SIP/", "Local/")) and action.get("Application"):
            if action["Application"].lower() != "chanspy":
                raise PBXError("Originate failed: only ChanSpy is simulated")
            start = lambda: self.pbx.chanspy(channel, action.get("Data", ""), action_id)  # noqa
        elif channel.startswith(("PJSIP/", "SIP/")) and action.get("Exten"):
            start = lambda: self.pbx.originate_phone(  # noqa
                channel, action["Exten"], action.get("Context", ""), (name, num), action_id,
                variables)
        else:
            raise PBXError("Originate failed")
        # Async originate: Asterisk answers first, the call's events follow.
        session.respond(action, "Success", "Originate successfully queued")
        asyncio.get_running_loop().call_soon(start)
