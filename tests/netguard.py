"""Tests are offline by construction: any connection to an address outside loopback fails.

Installed for every test by ``conftest.py``. It wraps ``socket.connect`` (and its ``_ex``
twin), which every client in the stack ends in — httpx for PTB, aiohttp for slack-sdk,
psycopg, asyncio's own connections — so a test that would reach Telegram, Slack or any other
host fails at once with the address it tried, instead of leaking traffic.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


class NetworkAccessDenied(RuntimeError):
    """A test tried to connect somewhere other than this machine."""


def is_loopback(address: Any) -> bool:
    """True for loopback IPs and Unix socket paths; hostnames other than localhost are not
    resolved here, so they count as outside."""
    if isinstance(address, str | bytes):
        return True  # AF_UNIX path
    host = address[0] if isinstance(address, tuple) and address else address
    if host in ("localhost", b"localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except (ValueError, TypeError):
        return False


def _guarded(original: Callable[..., Any]) -> Callable[..., Any]:
    def connect(sock: socket.socket, address: Any) -> Any:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback(address):
            raise NetworkAccessDenied(f"tests may only connect to loopback, not {address!r}")
        return original(sock, address)

    return connect


@contextmanager
def loopback_only() -> Iterator[None]:
    """Refuse non-loopback connections while the block runs."""
    saved = socket.socket.connect, socket.socket.connect_ex
    socket.socket.connect = _guarded(saved[0])  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded(saved[1])  # type: ignore[method-assign]
    try:
        yield
    finally:
        socket.socket.connect, socket.socket.connect_ex = saved  # type: ignore[method-assign]
