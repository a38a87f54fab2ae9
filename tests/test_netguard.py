"""The offline guard itself: outside addresses fail, loopback works."""

from __future__ import annotations

import asyncio
import socket

import pytest

from tests.netguard import NetworkAccessDenied, is_loopback


def test_an_outside_address_is_refused_before_any_packet() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(NetworkAccessDenied, match=r"149\.154\.167\.220"),
    ):
        sock.connect(("149.154.167.220", 443))  # api.telegram.org's range


async def test_asyncio_connections_are_guarded_too() -> None:
    with pytest.raises(NetworkAccessDenied):
        await asyncio.open_connection("10.0.0.1", 80)


async def test_loopback_servers_still_work() -> None:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(await reader.read(5))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"hallo")
        assert await reader.read(5) == b"hallo"
        writer.close()
        await writer.wait_closed()


def test_what_counts_as_loopback() -> None:
    assert is_loopback(("127.0.0.1", 80))
    assert is_loopback(("::1", 80, 0, 0))
    assert is_loopback(("localhost", 80))
    assert is_loopback("/tmp/socket")
    assert not is_loopback(("192.168.1.10", 80))
    assert not is_loopback(("slack.com", 443))
