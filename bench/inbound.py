"""Inbound: M reflection answers (a person writes ``svar`` then their reflection) through the
full stack of ``kompis run`` (parse, route, store, reply enqueued), as Telegram webhook
requests over HTTP and as polled updates; updates/s and latency to "reply enqueued". The
ratio's denominator: a bare PTB application that only echoes, over the same fake Bot API.
Also Slack: signed ``message.im`` events over HTTP, the ack latency.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import event, func, select
from telegram import Update
from telegram.ext import ApplicationBuilder, MessageHandler, filters

from bench.common import add_people, database, opened, percentile, ratio, target
from bot.domain.clock import FakeClock
from bot.domain.messages import Immediate, Inbound
from bot.serve import Service
from bot.settings import Settings
from bot.storage.tables import ReflectionRow
from tests.fake_slack import FakeSlack
from tests.fake_telegram import TOKEN, FakeTelegram
from tests.helpers import shipped_catalog
from tests.slack_signing import SlackSigner
from tests.slack_support import SECRET as SLACK_SECRET
from tests.slack_support import settings_for as slack_settings
from tests.telegram_support import demo_start

FIRST_CHAT = 20_000
WEBHOOK_SECRET = "bench_webhook_secret"
REFLECTION = "Vi prøvde å gjøre søknadsskjemaet enklere, og det gikk bra."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def message(update_id: int, chat: int, text: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private", "first_name": f"User{chat}"},
            "from": {
                "id": chat,
                "is_bot": False,
                "first_name": f"User{chat}",
                "language_code": "nb",
            },
            "text": text,
        },
    }


def updates(people: int) -> list[dict[str, Any]]:
    """Per person ``svar``, then the reflection itself: 2 updates each."""
    found = []
    for n in range(people):
        chat = FIRST_CHAT + n
        found.append(message(1 + 2 * n, chat, "svar"))
        found.append(message(2 + 2 * n, chat, REFLECTION))
    return found


def answering_time() -> datetime:
    """Noon on the day the sample cohort's first stage opens: its reflection prompt is open,
    so ``svar`` asks it and the next message is stored as the answer. (The day before, as
    the demo starts, nothing is open yet: ``svar`` would only say so.)"""
    return demo_start() + timedelta(days=1)


async def stored_answers(service: Service) -> int:
    async with service.app.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(ReflectionRow)) or 0)


def summary(latencies: list[float], seconds: float) -> dict[str, Any]:
    return {
        "updates": len(latencies),
        "seconds": round(seconds, 3),
        "updates_per_s": round(len(latencies) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
    }


async def kompis_service(url: str, fake: FakeTelegram, webhook: bool) -> Service:
    port = free_port()
    extra: dict[str, Any] = {}
    if webhook:
        extra = {
            "telegram_webhook_url": f"http://127.0.0.1:{port}/telegram/webhook",
            "telegram_webhook_secret": WEBHOOK_SECRET,
        }
    settings = Settings(
        database_url=url,
        telegram_token=TOKEN,
        telegram_api_url=fake.api_url,
        telegram_poll_seconds=0.5,
        http_port=port,
        telegram_per_second=1000.0,
        telegram_chat_per_second=50.0,
        tick_seconds=3600,
        **extra,
    )
    service = Service(settings, FakeClock(answering_time()), shipped_catalog())
    await service.start()
    return service


async def kompis_webhook(people: int, kind: str, concurrency: int) -> dict[str, Any]:
    with database(kind) as url:
        async with opened(url) as db:
            await add_people(db, people, first_chat=FIRST_CHAT)
        async with FakeTelegram(per_second=100_000) as fake:
            service = await kompis_service(url, fake, webhook=True)
            try:
                with counted(service) as work:
                    found = await _post_all(service.port, updates(people), concurrency)
                found["answers_stored"] = await stored_answers(service)
                return found | work.per_update(found["updates"])
            finally:
                await service.stop()


class Work:
    """SQL statements and process CPU time spent while updates are handled: figures a busy
    machine disturbs less than wall-clock ones. Both cover the whole process (the inbound
    path, delivery sending the replies, and the bench's client and fake in this process)."""

    def __init__(self) -> None:
        self.statements = 0
        self.cpu = 0.0

    def per_update(self, count: int) -> dict[str, float]:
        if not count:
            return {}
        return {
            "sql_statements_per_update": round(self.statements / count, 2),
            "process_cpu_ms_per_update": round(self.cpu * 1000 / count, 2),
        }


@contextmanager
def counted(service: Service) -> Iterator[Work]:
    work = Work()
    engine = service.app.db.engine.sync_engine

    def count(*_args: Any) -> None:
        work.statements += 1

    event.listen(engine, "before_cursor_execute", count)
    started = time.process_time()
    try:
        yield work
    finally:
        work.cpu = time.process_time() - started
        event.remove(engine, "before_cursor_execute", count)


async def _post_all(port: int, bodies: list[dict[str, Any]], concurrency: int) -> dict[str, Any]:
    """POST the updates with ``concurrency`` requests in flight, a person's two in order.
    An answer other than 200, or none within 30 s, counts as failed (Telegram would
    redeliver it)."""
    latencies: list[float] = []
    failed: list[str] = []
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    lanes: list[list[dict[str, Any]]] = [[] for _ in range(concurrency)]
    for n, body in enumerate(bodies):
        lanes[(n // 2) % concurrency].append(body)
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:

        async def lane(items: list[dict[str, Any]]) -> None:
            for body in items:
                sent = time.perf_counter()
                try:
                    answer = await client.post(url, json=body, headers=headers)
                except httpx.HTTPError as exc:
                    failed.append(type(exc).__name__)
                    continue
                latencies.append(time.perf_counter() - sent)
                if answer.status_code != 200:
                    failed.append(str(answer.status_code))

        started = time.perf_counter()
        await asyncio.gather(*(lane(items) for items in lanes))
        found = summary(latencies, time.perf_counter() - started)
        found["failed"] = len(failed)
        found["concurrency"] = concurrency
        return found


async def kompis_polling(people: int, kind: str) -> dict[str, Any]:
    with database(kind) as url:
        async with opened(url) as db:
            await add_people(db, people, first_chat=FIRST_CHAT)
        async with FakeTelegram(per_second=100_000) as fake:
            service = await kompis_service(url, fake, webhook=False)
            assert service.telegram is not None
            pushed: dict[str, float] = {}
            latencies: list[float] = []
            done = asyncio.Event()
            bodies = updates(people)
            hook = service.telegram._on_inbound
            assert hook is not None

            async def timed(inbound: Inbound) -> Immediate | None:
                answer = await hook(inbound)  # handled: stored and the reply enqueued
                latencies.append(time.perf_counter() - pushed[inbound.event_id or ""])
                if len(latencies) == len(bodies):
                    done.set()
                return answer

            service.telegram._on_inbound = timed
            try:
                started = time.perf_counter()
                for body in bodies:
                    pushed[str(body["update_id"])] = time.perf_counter()
                    fake._updates.append(body)
                fake._new_update.set()
                await asyncio.wait_for(done.wait(), 600)
                found = summary(latencies, time.perf_counter() - started)
                found["answers_stored"] = await stored_answers(service)
                return found
            finally:
                await service.stop()


async def ptb_echo(people: int) -> dict[str, Any]:
    """The denominator: PTB's Application polling the same fake, echoing every text."""
    async with FakeTelegram(per_second=100_000) as fake:
        pushed: dict[int, float] = {}
        latencies: list[float] = []
        done = asyncio.Event()
        bodies = updates(people)

        async def echo(update: Update, _context: Any) -> None:
            assert update.effective_message is not None
            await update.effective_message.reply_text(update.effective_message.text or "")
            latencies.append(time.perf_counter() - pushed[update.update_id])
            if len(latencies) == len(bodies):
                done.set()

        app = ApplicationBuilder().token(TOKEN).base_url(fake.api_url).build()
        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(timeout=0.5)
            started = time.perf_counter()
            for body in bodies:
                pushed[body["update_id"]] = time.perf_counter()
                fake._updates.append(body)
            fake._new_update.set()
            await asyncio.wait_for(done.wait(), 600)
            seconds = time.perf_counter() - started
            await app.updater.stop()
            await app.stop()
        return summary(latencies, seconds)


async def slack_events(count: int) -> dict[str, Any]:
    async with FakeSlack() as fake:
        fake.set_rate_limits(channel=None)
        team = fake.add_team("Norrbotten")
        users = [fake.add_user(team.id, f"Leader {n}", locale="sv-SE") for n in range(20)]
        signer = SlackSigner(SLACK_SECRET)
        with database("sqlite") as url:
            settings = slack_settings(fake, team, url, tick_seconds=3600)
            service = Service(settings, FakeClock(answering_time()), shipped_catalog())
            await service.start()
            latencies: list[float] = []
            try:
                async with httpx.AsyncClient() as client:
                    address = f"http://127.0.0.1:{service.port}/slack/events"
                    started = time.perf_counter()
                    for n in range(count):
                        user = users[n % len(users)]
                        event = fake.user_writes(team.id, user.id, "status")
                        request = signer.event(team, event)
                        sent = time.perf_counter()
                        answer = await client.post(
                            address, content=request.body.encode(), headers=request.headers
                        )
                        latencies.append(time.perf_counter() - sent)
                        if answer.status_code != 200:
                            raise RuntimeError(f"/slack/events answered {answer.status_code}")
                    return summary(latencies, time.perf_counter() - started)
            finally:
                await service.stop()


async def measure(smoke: bool) -> dict[str, Any]:
    people = 10 if smoke else 2500  # two updates each: 5,000 in the full run
    runs: dict[str, Callable[[], Awaitable[dict[str, Any]]]] = {
        "ptb_echo_polling": lambda: ptb_echo(people),
        "kompis_webhook_sqlite": lambda: kompis_webhook(people, "sqlite", 1),
        "kompis_webhook_sqlite_8_connections": lambda: kompis_webhook(people, "sqlite", 8),
        "kompis_polling_sqlite": lambda: kompis_polling(people, "sqlite"),
        "slack_events_sqlite": lambda: slack_events(10 if smoke else 500),
    }
    figures = {name: await run() for name, run in runs.items()}
    echo = figures["ptb_echo_polling"]["updates_per_s"]
    for name in ("kompis_webhook_sqlite", "kompis_polling_sqlite"):
        figures[name]["ratio_to_ptb_echo"] = round(ratio(figures[name]["updates_per_s"], echo), 3)
    hook, poll, slack = (
        figures["kompis_webhook_sqlite"],
        figures["kompis_polling_sqlite"],
        figures["slack_events_sqlite"],
    )
    stored = (
        "kompis_webhook_sqlite",
        "kompis_webhook_sqlite_8_connections",
        "kompis_polling_sqlite",
    )
    best = max(hook["updates_per_s"], poll["updates_per_s"])
    targets = [
        target(
            "Telegram updates/s, SQLite (best of webhook, polling)", best, ">= 1000", best >= 1000
        ),
        target("webhook p95 (ms)", hook["p95_ms"], "< 20", hook["p95_ms"] < 20),
        target(
            "reflection answers stored, of people (webhook, 8 connections, polling)",
            min(figures[name]["answers_stored"] for name in stored) / people,
            "1.0",
            all(figures[name]["answers_stored"] == people for name in stored),
        ),
        target(
            "webhook with 8 connections: failed requests",
            figures["kompis_webhook_sqlite_8_connections"]["failed"],
            "0",
            figures["kompis_webhook_sqlite_8_connections"]["failed"] == 0,
        ),
        # all M updates wait at the fake at once, so a polled update's latency is mostly its
        # place in that queue: reported, not held to the webhook's target
        target("polling p95 (ms), a burst of M queued", poll["p95_ms"], "(reported)", True),
        target(
            "throughput / bare PTB echo's",
            round(ratio(best, echo), 3),
            ">= 0.333",
            ratio(best, echo) >= 1 / 3,
        ),
        target("Slack ack p95 (ms)", slack["p95_ms"], "< 100", slack["p95_ms"] < 100),
    ]
    return {"name": "inbound", "figures": figures, "targets": targets}


def run(smoke: bool = False) -> dict[str, Any]:
    return asyncio.run(measure(smoke))
