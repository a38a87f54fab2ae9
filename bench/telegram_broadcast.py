"""Broadcast on Telegram: Kompis (``kompis run``'s own composition, its outbox, sender and
PTB client) against a fake Bot API on loopback that enforces an overall rate and 1 msg/s per
chat, next to what a bot builder would write instead: PTB's ``AIORateLimiter`` (defaults with
the same overall rate, and ``max_retries=3``) and a naive ``asyncio.gather``.

Two shapes: many chats with one message each (the overall limit binds) and few chats with
many messages each (the per-chat limit binds); Kompis on SQLite and on PostgreSQL. Those run
at 300/s overall, so they take seconds; a short third run holds everyone to Telegram's real
30/s.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, ApplicationBuilder
from telegram.request import HTTPXRequest

from bench import telegram_client
from bench.common import add_people, database, kinds, opened, ratio, target
from bot.domain.messages import Outgoing
from bot.serve import Service
from bot.settings import Settings
from bot.storage.repo import unit
from tests.fake_telegram import TOKEN
from tests.fake_telegram_limits import LimitedTelegram
from tests.helpers import shipped_catalog

FIRST_CHAT = 10_000


@dataclass(frozen=True)
class Shape:
    name: str
    chats: int
    each: int  # messages per chat

    @property
    def total(self) -> int:
        return self.chats * self.each


def shapes(smoke: bool) -> list[Shape]:
    if smoke:
        return [Shape("many chats", 60, 1), Shape("few chats", 5, 2)]
    return [Shape("many chats", 3000, 1), Shape("few chats", 50, 10)]


def ideal_seconds(shape: Shape, rate: float, chat_rate: float) -> float:
    """The shortest time from the first send to the last that both limits allow."""
    return max((shape.total - 1) / rate, (shape.each - 1) / chat_rate)


def outcome(
    fake: LimitedTelegram, shape: Shape, started: float, rate: float, chat_rate: float
) -> dict[str, Any]:
    received = {chat: len(fake.messages.get(chat, [])) for chat in chat_ids(shape)}
    lost = sum(max(0, shape.each - n) for n in received.values())
    duplicated = sum(max(0, n - shape.each) for n in received.values())
    accepted = fake.accepted
    span = accepted[-1] - accepted[0] if len(accepted) > 1 else 0.0
    achieved = (len(accepted) - 1) / span if span > 0 else 0.0
    allowed = (shape.total - 1) / ideal_seconds(shape, rate, chat_rate)
    return {
        "sent": shape.total,
        "delivered": len(accepted),
        # a peer's gather has returned: what did not arrive never will
        "lost": lost,
        "undelivered_at_deadline": lost,
        "duplicated": duplicated,
        "429s": fake.refused_429,
        "429_share": fake.refused_429 / shape.total,
        "achieved_per_s": round(achieved, 2),
        "allowed_per_s": round(allowed, 2),
        "achieved_of_allowed": round(achieved / allowed, 4) if allowed else 0.0,
        "seconds_to_last": round((accepted[-1] - started) if accepted else 0.0, 3),
    }


def chat_ids(shape: Shape) -> list[int]:
    return list(range(FIRST_CHAT, FIRST_CHAT + shape.chats))


async def until_received(fake: LimitedTelegram, count: int, within: float) -> None:
    deadline = time.monotonic() + within
    while fake.received() < count and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.2)  # anything sent twice arrives now too


async def kompis(
    shape: Shape, kind: str, rate: float, chat_rate: float, lanes: int | None = None
) -> dict[str, Any]:
    async with LimitedTelegram(per_second=rate, chat_per_second=chat_rate) as fake:
        with database(kind) as url:
            settings = Settings(
                database_url=url,
                telegram_token=TOKEN,
                telegram_api_url=fake.api_url,
                telegram_poll_seconds=0.5,
                http_port=0,
                telegram_per_second=rate,
                telegram_chat_per_second=chat_rate,
                delivery_lanes=lanes,
            )
            async with opened(url) as db:  # people first: an import holds SQLite's lock
                people = await add_people(db, shape.chats, first_chat=FIRST_CHAT)
            service = Service(settings, None, shipped_catalog())
            await service.start()
            try:
                now = datetime.now(UTC)
                # a series: message 1 to everyone, then message 2, ... (round robin)
                items = [
                    Outgoing(p, "help", {"name": "Leader"}, key=f"bench:{n}:{p}")
                    for n in range(shape.each)
                    for p in people
                ]
                async with unit(service.db) as store:
                    await store.enqueue(items, now)
                fake.accepted.clear()
                fake.refused_429 = 0
                started = time.monotonic()
                service.app.delivery.wake()
                await until_received(fake, shape.total, within=_within(shape, rate, chat_rate))
                async with unit(service.db) as store:
                    counts = await store.outbox_counts()
            finally:
                await service.stop()
        found = outcome(fake, shape, started, rate, chat_rate)
        # Kompis keeps what it has not sent yet in the outbox: lost is what it gave up on
        found["lost"] = counts.get("dead", 0) + counts.get("failed", 0)
        found["outbox"] = counts
        return found


def _within(shape: Shape, rate: float, chat_rate: float) -> float:
    return ideal_seconds(shape, rate, chat_rate) * 3 + 10


async def _sends(bot: Bot, shape: Shape) -> list[Any]:
    texts = [
        (chat, f"Nytt fra programmet {n}") for n in range(shape.each) for chat in chat_ids(shape)
    ]
    return await asyncio.gather(
        *(bot.send_message(chat_id=chat, text=text) for chat, text in texts),
        return_exceptions=True,
    )


async def ptb_limiter(shape: Shape, rate: float, chat_rate: float, retries: int) -> dict[str, Any]:
    """A plain PTB application with its own rate limiter given the same overall rate."""
    async with LimitedTelegram(per_second=rate, chat_per_second=chat_rate) as fake:
        app = (
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(fake.api_url)
            .rate_limiter(AIORateLimiter(overall_max_rate=rate, max_retries=retries))
            .build()
        )
        async with app:
            started = time.monotonic()
            results = await _sends(app.bot, shape)
            errors = sum(isinstance(r, TelegramError) for r in results)
        found = outcome(fake, shape, started, rate, chat_rate)
        found["errors_raised"] = errors
        return found


async def naive_gather(shape: Shape, rate: float, chat_rate: float) -> dict[str, Any]:
    async with LimitedTelegram(per_second=rate, chat_per_second=chat_rate) as fake:
        bot = Bot(TOKEN, base_url=fake.api_url, request=HTTPXRequest(connection_pool_size=256))
        async with bot:
            started = time.monotonic()
            results = await _sends(bot, shape)
            errors = sum(isinstance(r, TelegramError) for r in results)
        found = outcome(fake, shape, started, rate, chat_rate)
        found["errors_raised"] = errors
        return found


#: Telegram's own overall limit, for the short run at the real rate
REAL_RATE = 30.0


async def measure(smoke: bool, rate: float = 300.0, chat_rate: float = 1.0) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "allowed_overall_per_s": rate,
        "allowed_chat_per_s": chat_rate,
        "real_rate_per_s": REAL_RATE,
    }
    targets: list[dict[str, Any]] = []
    for shape in shapes(smoke):
        variants: list[tuple[str, str, int | None]] = [(k, k, None) for k in kinds()]
        if smoke:
            variants = [("sqlite", "sqlite", None)]
        else:  # SQLite's default is one lane; how four would do, for comparison
            variants.insert(1, ("sqlite_4_lanes", "sqlite", 4))
        figures[shape.name] = await _compare(shape, rate, chat_rate, variants, targets)
    # a short run at Telegram's real 30/s: 10 s of sends (1 s in the smoke run)
    real = Shape("many chats at the real 30/s", 31 if smoke else 301, 1)
    figures[real.name] = await _compare(
        real, REAL_RATE, chat_rate, [("sqlite", "sqlite", None)], targets
    )
    figures["http_client"] = await asyncio.to_thread(telegram_client.measure, smoke)
    return {"name": "telegram_broadcast", "figures": figures, "targets": targets}


async def _compare(
    shape: Shape,
    rate: float,
    chat_rate: float,
    variants: list[tuple[str, str, int | None]],
    targets: list[dict[str, Any]],
) -> dict[str, Any]:
    """The peers and then Kompis (one run per variant) on one shape; appends the targets."""
    peers = {
        "ptb_aioratelimiter_default": await ptb_limiter(shape, rate, chat_rate, 0),
        "ptb_aioratelimiter_retries3": await ptb_limiter(shape, rate, chat_rate, 3),
        "naive_gather": await naive_gather(shape, rate, chat_rate),
    }
    best = max(
        (peers["ptb_aioratelimiter_default"], peers["ptb_aioratelimiter_retries3"]),
        key=lambda f: (f["delivered"], f["achieved_per_s"]),
    )
    row: dict[str, Any] = {"shape": {"chats": shape.chats, "each": shape.each}, **peers}
    for kind, database_kind, lanes in variants:
        mine = await kompis(shape, database_kind, rate, chat_rate, lanes)
        mine["rate_ratio_to_best_ptb"] = round(
            ratio(mine["achieved_per_s"], best["achieved_per_s"]), 3
        )
        mine["time_ratio_to_best_ptb"] = round(
            ratio(mine["seconds_to_last"], best["seconds_to_last"]), 3
        )
        row[f"kompis_{kind}"] = mine
        label = f"{shape.name}, {kind}"
        targets += [
            target(
                f"{label}: achieved / allowed",
                mine["achieved_of_allowed"],
                ">= 0.95",
                mine["achieved_of_allowed"] >= 0.95,
            ),
            target(f"{label}: lost", mine["lost"], "0", mine["lost"] == 0),
            target(f"{label}: duplicated", mine["duplicated"], "0", mine["duplicated"] == 0),
            target(
                f"{label}: 429s / sends",
                mine["429_share"],
                "<= 0.005",
                mine["429_share"] <= 0.005,
            ),
            target(
                f"{label}: ahead of PTB AIORateLimiter (rate, 429s, lost)",
                mine["rate_ratio_to_best_ptb"],
                "rate >= best PTB's, fewer 429s, 0 lost",
                _ahead(mine, best),
            ),
        ]
    return row


def _ahead(mine: dict[str, Any], best: dict[str, Any]) -> bool:
    """Ahead on delivered throughput (a peer's rate counts only what it got through), with
    no more 429s and nothing lost."""
    fewer = mine["429s"] < best["429s"] or mine["429s"] == 0
    faster = (
        mine["delivered"] > best["delivered"] or mine["achieved_per_s"] >= best["achieved_per_s"]
    )
    return fewer and faster and mine["lost"] == 0


def run(smoke: bool = False) -> dict[str, Any]:
    return asyncio.run(measure(smoke))
