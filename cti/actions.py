"""Telephony actions asked by agents and supervisors, as AMI actions.

Each method checks what it needs from the tracker (which channel is the agent's, which is the
customer's), sends the AMI action and raises :class:`ActionRefused` with a message in French
for the agent when the action cannot be done.
"""
from __future__ import annotations

import re

from cti.ami_client import AMIActionError, AMIConnection, AMINotConnected
from cti.tracker import Tracker, interface_key, channel_owner

SPY_OPTIONS = {"listen": "qE", "whisper": "qwE", "barge": "qBE"}


class ActionRefused(Exception):
    pass


def dialable(number: str) -> str:
    """Digits (and a leading +) the PBX can dial."""
    cleaned = re.sub(r"[^\d+]", "", number or "")
    if not cleaned or len(cleaned.lstrip("+")) < 3:
        raise ActionRefused(f"numéro non composable : {number!r}")
    return cleaned


class TelephonyActions:
    def __init__(self, conn: AMIConnection, tracker: Tracker, cti_cfg: dict):
        self.conn = conn
        self.tracker = tracker
        self.cfg = cti_cfg

    async def _send(self, fields: dict, as_list: bool = False) -> dict:
        try:
            return await self.conn.action(fields, as_list=as_list)
        except AMIActionError as exc:
            raise ActionRefused(f"refusé par le PBX : {exc.message}") from exc
        except AMINotConnected as exc:
            raise ActionRefused("le PBX est injoignable, réessayez dans un instant") from exc
        except TimeoutError as exc:
            raise ActionRefused("le PBX n'a pas répondu à temps") from exc

    # ---- helpers -----------------------------------------------------------------------
    def _call(self, call_id: str):
        call = self.tracker.calls.get(call_id)
        if call is None:
            raise ActionRefused("cet appel est terminé")
        return call

    def _agent_channel(self, call, interface: str) -> str:
        key = interface_key(interface)
        for channel, owner in call.agent_channels.items():
            if owner == interface and channel in self.tracker.channel_call:
                return channel
        for channel in call.channels.values():
            if channel_owner(channel) == key:
                return channel
        raise ActionRefused("ce poste n'est pas dans l'appel")

    def _customer_channel(self, call) -> str:
        if call.caller_channel and call.caller_channel in call.channels.values():
            return call.caller_channel
        agent_channels = set(call.agent_channels)
        for channel in call.channels.values():
            if channel not in agent_channels and not self.tracker._agent_by_channel(channel):
                return channel
        raise ActionRefused("le correspondant n'est plus en ligne")

    # ---- agent actions -----------------------------------------------------------------
    async def originate(self, interface: str, number: str, customer_name: str = "",
                        customer_id: int | None = None) -> dict:
        """Click-to-call: ring the agent's phone, then dial the customer.

        The agent's phone shows the customer's name and number; the customer sees the
        company's number (``outbound_caller_id``), passed to the dialplan as a variable.
        """
        digits = dialable(number)
        name = (customer_name or "").replace('"', "")
        variables = [f"RELAIS_PRESENTED_NUMBER={self.cfg.get('outbound_caller_id', '')}"]
        if customer_id is not None:
            variables.append(f"RELAIS_CUSTOMER_ID={customer_id}")
        return await self._send({
            "Action": "Originate", "Channel": interface,
            "Context": self.cfg.get("outbound_context", "from-internal"), "Exten": digits,
            "Priority": "1", "CallerID": f'"{name}" <{digits}>', "Timeout": "30000",
            "Async": "true", "Variable": variables})

    async def queue_login(self, interface: str, queues: list[str], member_name: str,
                          paused: bool = False, reason: str = "") -> None:
        for queue in queues:
            fields = {"Action": "QueueAdd", "Queue": queue, "Interface": interface,
                      "MemberName": member_name, "Penalty": "0",
                      "Paused": "true" if paused else "false"}
            if paused and reason:
                fields["Reason"] = reason
            try:
                await self._send(fields)
            except ActionRefused as exc:
                if "Already there" not in str(exc):  # logging in twice is not an error
                    raise

    async def queue_logout(self, interface: str, queues: list[str]) -> None:
        for queue in queues:
            try:
                await self._send({"Action": "QueueRemove", "Queue": queue,
                                  "Interface": interface})
            except ActionRefused as exc:
                if "Not there" not in str(exc):
                    raise

    async def pause(self, interface: str, reason: str) -> None:
        await self._send({"Action": "QueuePause", "Interface": interface, "Paused": "true",
                          "Reason": reason})

    async def unpause(self, interface: str) -> None:
        await self._send({"Action": "QueuePause", "Interface": interface, "Paused": "false"})

    async def hangup(self, call_id: str, interface: str) -> None:
        call = self._call(call_id)
        await self._send({"Action": "Hangup", "Channel": self._agent_channel(call, interface),
                          "Cause": "16"})

    async def transfer_blind(self, call_id: str, interface: str, target: str) -> None:
        call = self._call(call_id)
        if call.agent != interface:
            raise ActionRefused("seul l'agent en ligne peut transférer cet appel")
        await self._send({"Action": "Redirect", "Channel": self._customer_channel(call),
                          "Exten": target, "Context": self.cfg.get("transfer_context",
                                                                   "from-internal"),
                          "Priority": "1"})
        self.tracker.note_transfer(call_id, "blind", target)

    async def transfer_attended(self, call_id: str, interface: str, target: str) -> None:
        call = self._call(call_id)
        if call.agent != interface:
            raise ActionRefused("seul l'agent en ligne peut transférer cet appel")
        await self._send({"Action": "Atxfer", "Channel": self._agent_channel(call, interface),
                          "Exten": target, "Context": self.cfg.get("transfer_context",
                                                                   "from-internal")})

    async def spy(self, supervisor_interface: str, agent_interface: str, mode: str) -> dict:
        """Supervisor listen / whisper / barge on an agent's call (ChanSpy)."""
        if mode not in SPY_OPTIONS:
            raise ActionRefused(f"mode inconnu : {mode}")
        agent = self.tracker.agents.get(agent_interface)
        if agent is None or not agent.current_call:
            raise ActionRefused("cet agent n'est pas en communication")
        return await self._send({
            "Action": "Originate", "Channel": supervisor_interface, "Application": "ChanSpy",
            "Data": f"{interface_key(agent_interface)},{SPY_OPTIONS[mode]}",
            "CallerID": f'"Supervision" <{mode}>', "Async": "true"})
