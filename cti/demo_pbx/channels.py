"""Channels of the simulated PBX and the header blocks Asterisk puts on channel events."""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

STATE_DESC = {0: "Down", 4: "Ring", 5: "Ringing", 6: "Up"}


@dataclass
class Channel:
    name: str
    uniqueid: str
    linkedid: str
    context: str
    exten: str
    caller_num: str = "<unknown>"
    caller_name: str = "<unknown>"
    connected_num: str = "<unknown>"
    connected_name: str = "<unknown>"
    state: int = 0
    priority: int = 1
    application: str = ""
    app_data: str = ""
    bridge: str = ""
    created: float = field(default_factory=time.time)
    variables: dict = field(default_factory=dict)

    def block(self, prefix: str = "") -> list[tuple[str, str]]:
        """The channel fields, in Asterisk's order (``Dest`` prefix for dial targets)."""
        return [(prefix + "Channel", self.name), (prefix + "ChannelState", str(self.state)),
                (prefix + "ChannelStateDesc", STATE_DESC.get(self.state, "Unknown")),
                (prefix + "CallerIDNum", self.caller_num),
                (prefix + "CallerIDName", self.caller_name),
                (prefix + "ConnectedLineNum", self.connected_num),
                (prefix + "ConnectedLineName", self.connected_name),
                (prefix + "Language", "en"), (prefix + "AccountCode", ""),
                (prefix + "Context", self.context), (prefix + "Exten", self.exten),
                (prefix + "Priority", str(self.priority)), (prefix + "Uniqueid", self.uniqueid),
                (prefix + "Linkedid", self.linkedid)]


class IdSource:
    """Uniqueids like Asterisk's (``<epoch>.<counter>``) and channel name suffixes."""

    def __init__(self, start: float | None = None):
        self.epoch = int(start or time.time())
        self.counter = itertools.count()
        self.suffix = itertools.count()

    def uniqueid(self) -> str:
        return f"{int(time.time()) if self.epoch else 0}.{next(self.counter)}"

    def channel_suffix(self) -> str:
        return f"{next(self.suffix):08x}"
