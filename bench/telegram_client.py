"""CPU per ``sendMessage`` through PTB on Kompis's HTTP client (aiohttp) and on PTB's default
(httpx), against the fake Bot API in a process of its own so that only the client's work is
counted (``time.thread_time`` of the sending thread). A figure of the Telegram broadcast
benchmark: the README's reason for the aiohttp backend."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from multiprocessing.connection import Connection
from typing import Any

from telegram import Bot
from telegram.request import BaseRequest, HTTPXRequest

from bot.transports.telegram_http import AiohttpRequest
from tests.fake_telegram import TOKEN, FakeTelegram


def _serve(pipe: Connection) -> None:
    async def main() -> None:
        async with FakeTelegram(per_second=1e9) as fake:
            pipe.send(fake.api_url)
            await asyncio.get_running_loop().run_in_executor(None, pipe.recv)

    asyncio.run(main())


async def _cpu_ms(request: BaseRequest, api_url: str, sends: int) -> float:
    async with Bot(TOKEN, base_url=api_url, request=request) as bot:
        for chat in range(20):  # connections open, caches warm
            await bot.send_message(chat_id=chat + 1, text="Hei")
        started = time.thread_time()
        for n in range(sends):
            await bot.send_message(chat_id=1000 + n % 500, text=f"Hei, dette er melding {n}")
        return (time.thread_time() - started) * 1000 / sends


def measure(smoke: bool) -> dict[str, Any]:
    sends = 100 if smoke else 2000
    ours, theirs = multiprocessing.get_context("spawn").Pipe()
    server = multiprocessing.get_context("spawn").Process(target=_serve, args=(theirs,))
    server.start()
    try:
        api_url = ours.recv()
        figures: dict[str, list[float]] = {"aiohttp": [], "httpx": []}
        for _ in range(2):  # alternated, so a noisy moment hits both
            figures["aiohttp"].append(asyncio.run(_cpu_ms(AiohttpRequest(8), api_url, sends)))
            figures["httpx"].append(asyncio.run(_cpu_ms(HTTPXRequest(8), api_url, sends)))
    finally:
        ours.send("stop")
        server.join(10)
    aio, httpx = min(figures["aiohttp"]), min(figures["httpx"])
    return {
        "sends": sends,
        "kompis_aiohttp_cpu_ms_per_send": round(aio, 3),
        "ptb_httpx_cpu_ms_per_send": round(httpx, 3),
        "cpu_ratio_to_httpx": round(aio / httpx, 3),
    }
