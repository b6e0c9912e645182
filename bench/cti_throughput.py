"""Parse + track throughput of the CTI bridge on one core (target ≥ 20 000 events/s).

Replays the real ``inbound_queue_call`` capture in a loop, each copy with fresh Uniqueids and
Linkedids so that every iteration is a new call, through the frame parser and the tracker
(events published to an in-memory list: the bus is not part of this figure).
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from bench.common import emit
from console.phones import try_normalize
from cti.frames import AMIFrameParser
from cti.tracker import Tracker

CAPTURE = Path(os.environ.get("RELAIS_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared")
               ) / "ami" / "inbound_queue_call.ami"


def run(iterations: int = 400, **_) -> None:
    data = CAPTURE.read_bytes()
    banner_end = data.index(b"\r\n") + 2
    body = data[banner_end:]
    copies = [body.replace(b"1795342771.", f"{1900000000 + i}.".encode()) for i in range(iterations)]
    stream = data[:banner_end] + b"".join(copies)
    chunks = [stream[i:i + 4096] for i in range(0, len(stream), 4096)]  # TCP-sized reads
    published: list[dict] = []
    tracker = Tracker(published.append, normalize_number=try_normalize)
    parser = AMIFrameParser()
    start = time.perf_counter()
    frames = 0
    for chunk in chunks:
        for frame in parser.feed(chunk):
            tracker.handle(frame)
            frames += 1
    elapsed = time.perf_counter() - start
    ended = sum(1 for e in published if e["type"] == "call.ended")
    assert ended == iterations, f"{ended} calls ended, {iterations} expected"
    emit("cti.parse_track.throughput", round(frames / elapsed), "events/s", target=20000,
         events=frames, calls=iterations)
