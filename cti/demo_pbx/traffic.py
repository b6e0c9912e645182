"""Random inbound traffic for the demo: known customers and unknown numbers, at a set rate."""
from __future__ import annotations

import asyncio
import logging
import random

from cti.demo_pbx.pbx import DemoPBX

log = logging.getLogger(__name__)


class TrafficGenerator:
    """Places calls into the queues as a Poisson process of ``calls_per_minute``.

    ``callers`` are (number, name) pairs of demo customers; ``unknown_caller_odds`` of the
    calls come from numbers nobody has, and a few from withheld numbers. Each call's outcome is
    drawn: abandon (the caller gives up after a few seconds), ring-no-answer odds are the
    PBX's, the talk time is drawn in ``talk_seconds`` = [min, max].
    """

    def __init__(self, pbx: DemoPBX, queues: list[str], callers: list[tuple[str, str]],
                 calls_per_minute: float = 6, unknown_caller_odds: float = 0.15,
                 abandon_odds: float = 0.1, talk_seconds: tuple[float, float] = (20, 90),
                 patience_seconds: tuple[float, float] = (5, 40), seed: int | None = None):
        self.pbx, self.queues, self.callers = pbx, queues, callers
        self.rate = calls_per_minute
        self.unknown_odds, self.abandon_odds = unknown_caller_odds, abandon_odds
        self.talk, self.patience = talk_seconds, patience_seconds
        self.rng = random.Random(seed)
        self.placed = 0

    def next_caller(self) -> tuple[str, str]:
        r = self.rng.random()
        if r < 0.02:
            return "", "anonymous"
        if r < self.unknown_odds or not self.callers:
            return f"07{self.rng.randrange(50_000_000, 99_999_999)}", ""
        return self.rng.choice(self.callers)

    def place_one(self) -> None:
        number, name = self.next_caller()
        variables = {"__AGENT_TALK_OVERRIDE": f"{self.rng.uniform(*self.talk):.0f}"}
        if self.rng.random() < self.abandon_odds:
            variables["CALLER_HOLD"] = f"{self.rng.uniform(*self.patience):.0f}"
        queue = self.rng.choice(self.queues)
        self.pbx.inbound(queue, number, name, variables=variables)
        self.placed += 1

    async def run(self) -> None:
        if self.rate <= 0:
            return
        while True:
            await asyncio.sleep(self.rng.expovariate(self.rate / 60))
            try:
                self.place_one()
            except Exception:
                log.exception("demo PBX: could not place a call")
