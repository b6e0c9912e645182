"""The bus between the bridge and the consoles (the "reporter" of the bridge): Redis.

Events go out three ways at once (one pipeline):
- ``PUBLISH <events_channel>``: live delivery to every console process;
- ``XADD <events_stream> MAXLEN ~N``: a bounded history, so a consumer that reconnects reads
  what it missed from its last stream id;
- current state hashes (``<prefix>:calls``, ``:agents``, ``:queues``): what is true now, for a
  console or browser that starts in the middle of a call.

If Redis is down or restarting the bridge keeps running: events wait in a bounded buffer and
are written, in order, when Redis answers again.
"""
from __future__ import annotations

import json
import logging
import time
import uuid
from collections import deque

import redis

log = logging.getLogger(__name__)


class EventBus:
    def __init__(self, client: redis.Redis, channel: str = "relais:events",
                 stream: str = "relais:events:stream", maxlen: int = 10000,
                 state_prefix: str = "relais:state", buffer_size: int = 100_000,
                 retry_seconds: float = 1.0):
        self.redis = client
        self.channel, self.stream, self.maxlen = channel, stream, maxlen
        self.calls_key = f"{state_prefix}:calls"
        self.agents_key = f"{state_prefix}:agents"
        self.queues_key = f"{state_prefix}:queues"
        self.pending: deque[dict] = deque(maxlen=buffer_size)
        self.retry_seconds = retry_seconds
        self._retry_at = 0.0
        self.published = 0

    def publish(self, event: dict) -> None:
        self.pending.append(event)
        self.flush()

    def flush(self) -> bool:
        """Write buffered events; False if Redis is unreachable (they stay buffered)."""
        if not self.pending or time.monotonic() < self._retry_at:
            return not self.pending
        batch = list(self.pending)
        pipe = self.redis.pipeline(transaction=False)
        for event in batch:
            self._queue(pipe, event)
        try:
            pipe.execute()
        except redis.RedisError as exc:
            self._retry_at = time.monotonic() + self.retry_seconds
            log.warning("bus: Redis unavailable (%s); %d events buffered", exc, len(batch))
            return False
        for _ in batch:
            self.pending.popleft()
        self.published += len(batch)
        return True

    def _queue(self, pipe, event: dict) -> None:
        payload = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        pipe.publish(self.channel, payload)
        pipe.xadd(self.stream, {"event": payload}, maxlen=self.maxlen, approximate=True)
        kind = event["type"]
        if kind.startswith("call."):
            call = event["call"]
            if kind == "call.ended" or call.get("state") == "ended":
                pipe.hdel(self.calls_key, call["call_id"])
            else:
                pipe.hset(self.calls_key, call["call_id"], json.dumps(call, ensure_ascii=False))
        elif kind == "agent.state":
            pipe.hset(self.agents_key, event["agent"],
                      json.dumps(event["agent_state"], ensure_ascii=False))
        elif kind == "queue.stats":
            pipe.hset(self.queues_key, event["queue"],
                      json.dumps(event["stats"], ensure_ascii=False))

    def reset_state(self) -> None:
        """Forget the current-state hashes (the bridge rebuilds them after it starts)."""
        self.redis.delete(self.calls_key, self.agents_key, self.queues_key)


class BusReader:
    """What a console process uses: current state and the events since a stream id."""

    def __init__(self, client: redis.Redis, stream: str = "relais:events:stream",
                 state_prefix: str = "relais:state"):
        self.redis = client
        self.stream = stream
        self.prefix = state_prefix

    def state(self) -> dict:
        def load(key):
            return [json.loads(v) for v in self.redis.hgetall(f"{self.prefix}:{key}").values()]
        last = self.redis.xrevrange(self.stream, count=1)
        return {"calls": load("calls"), "agents": load("agents"), "queues": load("queues"),
                "last_id": last[0][0].decode() if last else "0-0"}

    def since(self, last_id: str, count: int = 1000) -> list[tuple[str, dict]]:
        out = []
        for entry_id, fields in self.redis.xrange(self.stream, min=f"({last_id}", count=count):
            out.append((entry_id.decode(), json.loads(fields[b"event"])))
        return out

    def wait(self, last_id: str, block_ms: int = 1000) -> list[tuple[str, dict]]:
        """Block until events after ``last_id`` arrive (or the time runs out)."""
        answer = self.redis.xread({self.stream: last_id}, block=block_ms, count=500)
        out = []
        for _, entries in answer or []:
            for entry_id, fields in entries:
                out.append((entry_id.decode(), json.loads(fields[b"event"])))
        return out


class CommandError(Exception):
    """The bridge or the PBX refused or failed a command; the message is for the agent."""


class CommandTimeout(CommandError):
    pass


class CommandClient:
    """Ask the bridge for a telephony action and wait for its answer (web side)."""

    def __init__(self, client: redis.Redis, stream: str = "relais:commands",
                 timeout: float = 10.0):
        self.redis = client
        self.stream = stream
        self.timeout = timeout

    def request(self, name: str, timeout: float | None = None, **args) -> dict:
        timeout = self.timeout if timeout is None else timeout
        request_id = uuid.uuid4().hex
        reply_key = f"relais:reply:{request_id}"
        self.redis.xadd(self.stream, {"command": json.dumps(
            {"id": request_id, "name": name, "args": args, "reply_to": reply_key,
             "expires_at": time.time() + timeout}, ensure_ascii=False)},
            maxlen=10000, approximate=True)
        try:
            answer = self.redis.blpop([reply_key], timeout=max(1, int(round(timeout))))
        except redis.TimeoutError:
            answer = None
        if answer is None:
            raise CommandTimeout("le serveur de téléphonie ne répond pas")
        reply = json.loads(answer[1])
        if not reply.get("ok"):
            raise CommandError(reply.get("error", "échec"))
        return reply.get("result") or {}
