"""A TCP server that plays a byte-exact AMI capture to whoever logs in."""
from __future__ import annotations

import asyncio


class ReplayServer:
    """Waits for the client's first action (Login), then writes ``data`` in the given chunks.

    ``splits`` are byte offsets where the capture is cut into separate writes (each drained
    and followed by a short pause, so the client really reads them separately).
    """

    def __init__(self, data: bytes, splits: list[int] | None = None, pause: float = 0.005,
                 close_after: bool = False):
        self.data = data
        self.splits = sorted(splits or [])
        self.pause = pause
        self.close_after = close_after
        self.received = bytearray()
        self.server: asyncio.base_events.Server | None = None
        self.port = 0
        self.done = asyncio.Event()

    async def start(self) -> "ReplayServer":
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.received += await reader.readuntil(b"\r\n\r\n")
        bounds = [0, *self.splits, len(self.data)]
        for start, end in zip(bounds, bounds[1:]):
            writer.write(self.data[start:end])
            await writer.drain()
            await asyncio.sleep(self.pause)
        self.done.set()
        if self.close_after:
            writer.close()
            return
        try:
            while await reader.read(4096):
                pass
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def stop(self) -> None:
        self.server.close()
        await self.server.wait_closed()
