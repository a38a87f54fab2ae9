"""Kompis's aiohttp backend for PTB keeps PTB's contract: timeouts raise ``TimedOut``, a
server that is not there raises ``NetworkError``, uploads arrive as multipart with their
fields, and PTB still turns Telegram's error answers into its own errors."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot, InputFile
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.transports.telegram_http import AiohttpRequest
from tests.fake_telegram import TOKEN, FakeTelegram


@pytest.fixture
async def stalling() -> AsyncIterator[str]:
    """A Bot API that answers getMe and then nothing else until the test ends."""
    done = asyncio.Event()

    async def handle(request: web.Request) -> web.Response:
        if request.path.endswith("/getMe"):
            me = {"id": 1, "is_bot": True, "first_name": "Kompis", "username": "kompis_bot"}
            return web.json_response({"ok": True, "result": me})
        await done.wait()
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/bot"
    finally:
        done.set()
        await runner.cleanup()


async def test_a_read_that_takes_too_long_is_timed_out(stalling: str) -> None:
    bot = Bot(TOKEN, base_url=stalling, request=AiohttpRequest(read_timeout=0.2))
    async with bot:
        with pytest.raises(TimedOut):
            await bot.send_message(chat_id=5, text="Hei")
        # a per-call timeout overrides the client's own
        with pytest.raises(TimedOut):
            await bot.send_message(chat_id=5, text="Hei", read_timeout=0.1)


async def test_a_full_pool_is_timed_out_without_sending(stalling: str) -> None:
    request = AiohttpRequest(connection_pool_size=1, read_timeout=2.0, pool_timeout=0.1)
    bot = Bot(TOKEN, base_url=stalling, request=request)
    async with bot:
        first = asyncio.create_task(bot.send_message(chat_id=5, text="Hei"))
        await asyncio.sleep(0.05)  # the only connection is now taken
        with pytest.raises(TimedOut):
            await bot.send_message(chat_id=6, text="Hei")
        first.cancel()


async def test_no_server_is_a_network_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await request.do_request(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe", "POST")
        assert not isinstance(caught.value, TimedOut)
        assert "aiohttp." in str(caught.value)
    finally:
        await request.shutdown()


async def test_an_unready_client_says_so() -> None:
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:9/x", "POST")


async def test_messages_and_uploads_arrive_with_every_field() -> None:
    async with FakeTelegram() as fake:
        bot = Bot(TOKEN, base_url=fake.api_url, request=AiohttpRequest(connection_pool_size=4))
        async with bot:
            assert bot.username  # getMe went through
            await bot.send_message(chat_id=7, text="Hei <b>Kari</b>", parse_mode="HTML")
            document = InputFile(b"line one\nline two\n", filename="mine.txt")
            await bot.send_document(chat_id=7, document=document, caption="Dine data")
            with pytest.raises(BadRequest):  # Telegram's error answer, as PTB's error
                await bot.send_message(chat_id=7, text="x" * 5000)
        text, upload = fake.messages[7]
        assert (text.text, text.html) == ("Hei Kari", "Hei <b>Kari</b>")
        assert upload.kind == "document" and upload.text == "Dine data"
        assert upload.extra == {"filename": "mine.txt", "content": b"line one\nline two\n"}
