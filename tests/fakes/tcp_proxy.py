"""A TCP proxy on 127.0.0.1 in front of a database server, to make the database go away and come
back in the middle of a test.

- `close()` drops every open connection and refuses new ones; `reopen()` listens on the same port
  again (the server vanished and came back).
- `black_hole()` keeps every socket open and accepts new ones, but forwards nothing in either
  direction (a network partition, a server frozen by I/O: the client sees no error, only silence);
  `restore()` lets the held bytes through again, as TCP does once a partition heals.
"""

from __future__ import annotations

import asyncio
import contextlib


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target_host = target_host
        self.target_port = target_port
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task] = set()
        self._flowing = asyncio.Event()
        self._flowing.set()

    @property
    def is_open(self) -> bool:
        return self._server is not None

    @property
    def is_black_hole(self) -> bool:
        return not self._flowing.is_set()

    async def start(self) -> TcpProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    reopen = start

    def black_hole(self) -> None:
        """From now on forward nothing, and answer nothing, while keeping every socket open."""
        self._flowing.clear()

    def restore(self) -> None:
        """Forward again, the bytes held during the black hole first."""
        self._flowing.set()

    async def close(self) -> None:
        """Stop listening and cut every connection (the server side seems to vanish)."""
        if self._server is not None:
            self._server.close()
            self._abort_all()
            await self._server.wait_closed()
            self._server = None
        self._abort_all()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        self._flowing.set()

    def _abort_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self._writers.add(client_writer)
        try:
            server_reader, server_writer = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            client_writer.transport.abort()
            self._writers.discard(client_writer)
            return
        self._writers.add(server_writer)
        pipes = [
            asyncio.create_task(self._pipe(client_reader, server_writer)),
            asyncio.create_task(self._pipe(server_reader, client_writer)),
        ]
        self._tasks.update(pipes)
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        for pipe in pipes:
            pipe.cancel()
            self._tasks.discard(pipe)
        for writer in (client_writer, server_writer):
            writer.transport.abort()
            self._writers.discard(writer)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                await self._flowing.wait()
                writer.write(data)
                await writer.drain()
