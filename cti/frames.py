"""AMI wire format: an incremental frame parser and a frame encoder.

AMI frames are ``Key: Value`` lines ending in CRLF, a blank line ending the frame; the server
opens with a one-line banner (``Asterisk Call Manager/11.0.0``). TCP delivers arbitrary byte
chunks, so bytes are decoded with an incremental UTF-8 decoder (a character split across two
reads is kept whole) and frames are cut only on the CRLF CRLF separator.
"""
from __future__ import annotations

import codecs
import logging
from typing import Iterable

log = logging.getLogger(__name__)

EOL = "\r\n"
SEPARATOR = "\r\n\r\n"
BANNER_PREFIX = "Asterisk Call Manager/"


class AMIFrameParser:
    """Feed bytes, get frames (``dict[str, str | list[str]]``).

    A frame that is not AMI (a line without ``: ``, or neither Event nor Response) is logged and
    skipped: the link stays up and the next frame is read normally. ``malformed`` counts them.
    """

    def __init__(self, expect_banner: bool = True, kinds: tuple[str, ...] = ("Event", "Response")):
        self.kinds = kinds
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._expect_banner = expect_banner
        self.banner: str | None = None
        self.malformed = 0

    def feed(self, data: bytes) -> list[dict]:
        self._buffer += self._decoder.decode(data)
        if self._expect_banner:
            end = self._buffer.find(EOL)
            if end < 0:
                if len(self._buffer) < len(BANNER_PREFIX) and not BANNER_PREFIX.startswith(
                        self._buffer):
                    self._expect_banner = False  # not a banner at all: parse as frames
                else:
                    return []
            else:
                first = self._buffer[:end]
                if first.startswith(BANNER_PREFIX):
                    self.banner = first
                    self._buffer = self._buffer[end + len(EOL):]
                self._expect_banner = False
        if SEPARATOR not in self._buffer:
            return []
        *chunks, self._buffer = self._buffer.split(SEPARATOR)
        frames = []
        for chunk in chunks:
            frame = self.parse_frame(chunk)
            if frame is not None:
                frames.append(frame)
        return frames

    def parse_frame(self, chunk: str) -> dict | None:
        frame: dict = {}
        for line in chunk.split(EOL):
            key, sep, value = line.partition(": ")
            if not sep:
                if line.endswith(":") and line[:-1] and " " not in line:  # "Key:" empty value
                    key, value = line[:-1], ""
                elif not line.strip():
                    continue
                else:
                    return self._malformed(chunk, f"line without 'Key: Value': {line[:80]!r}")
            if key in frame:
                previous = frame[key]
                frame[key] = previous + [value] if isinstance(previous, list) else [previous, value]
            else:
                frame[key] = value
        if not frame:
            return None  # stray blank lines between frames
        if not any(kind in frame for kind in self.kinds):
            return self._malformed(chunk, f"frame with no {' or '.join(self.kinds)}")
        return frame

    def _malformed(self, chunk: str, why: str) -> None:
        self.malformed += 1
        log.warning("AMI: malformed frame skipped (%s): %r", why, chunk[:200])
        return None


def encode_frame(fields: dict | Iterable[tuple[str, object]]) -> bytes:
    """Encode an action or event; list values become repeated keys."""
    items = fields.items() if isinstance(fields, dict) else fields
    lines = []
    for key, value in items:
        if isinstance(value, (list, tuple)):
            lines.extend(f"{key}: {v}" for v in value)
        else:
            lines.append(f"{key}: {'' if value is None else value}")
    return (EOL.join(lines) + SEPARATOR).encode("utf-8")
