"""PTB's networking backend on aiohttp instead of httpx.

PTB lets a bot bring its own HTTP client (a ``BaseRequest``). Kompis uses aiohttp, which it
already needs for slack-sdk: its HTTP parser is compiled, where httpx's stack (httpcore, h11,
anyio) is pure Python. One ``sendMessage`` through PTB to a fake Bot API on loopback costs
about 0.75 ms of CPU this way against 1.7 ms through httpx (``bench/telegram_client.py``),
and a broadcast is CPU-bound.

It keeps PTB's contract: the four timeouts (``DEFAULT_NONE`` means this client's own), a
timeout raised as ``TimedOut`` and any other failure to get an answer as ``NetworkError``;
the status and body go back to PTB, which turns them into its errors as usual.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


def _given(value: Any, default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _total(*parts: float | None) -> float | None:
    """An overall bound on a request, None if any phase is unbounded."""
    return None if any(part is None for part in parts) else sum(p for p in parts if p is not None)


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a pool of ``connection_pool_size`` connections."""

    def __init__(
        self,
        connection_pool_size: int = 1,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self.pool_size = connection_pool_size
        self._read = read_timeout
        self._write = write_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._media_write = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        # aiohttp counts the wait for a free connection as part of connecting; PTB's pool
        # timeout is its own (and means "not sent"), so the pool is held here
        self._slots = asyncio.Semaphore(connection_pool_size)

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.pool_size)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _timeout(self, read: Any, write: Any, connect: Any, files: bool) -> aiohttp.ClientTimeout:
        read = _given(read, self._read)
        write = _given(write, self._media_write if files else self._write)
        connect = _given(connect, self._connect)
        # aiohttp has no write timeout of its own: the overall bound covers the upload
        return aiohttp.ClientTimeout(
            total=_total(connect, write, read), connect=connect, sock_read=read
        )

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data else {}
        fields = request_data.json_parameters if request_data else {}
        body: Any = fields or None
        if files:
            form = aiohttp.FormData()
            for name, value in fields.items():
                form.add_field(name, value)
            for name, (filename, content, mimetype) in files.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            body = form
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, bool(files))
        try:
            async with asyncio.timeout(_given(pool_timeout, self._pool)):
                await self._slots.acquire()
        except TimeoutError as exc:
            raise TimedOut(
                "Pool timeout: every connection is in use; the request was not sent"
            ) from exc
        try:
            async with self._session.request(method, url, data=body, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            # the class name says what happened when the message is empty
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
        finally:
            self._slots.release()
