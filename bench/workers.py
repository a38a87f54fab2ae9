"""Several workers share one budget: three ``kompis run`` processes on one PostgreSQL
database drain one broadcast to the fake Bot API (overall limit and 1 msg/s per chat).
Together they must hold the platform's rate (>= 90 % of the one budget) and never go above
it: the budget is reserved through the database, not multiplied by the processes.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import add_people, database, opened, postgres_available, target
from bot.domain.messages import Outgoing
from bot.storage.repo import unit
from tests.fake_telegram import TOKEN
from tests.fake_telegram_limits import LimitedTelegram

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 3
RATE = 300.0


def busiest_second(moments: list[float]) -> int:
    """The most sends in any one-second window."""
    best, start = 0, 0
    for end, moment in enumerate(moments):
        while moments[start] <= moment - 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def measure(people: int) -> dict[str, Any]:
    with database("postgresql") as url:
        async with opened(url) as db:
            ids = await add_people(db, people)
        async with LimitedTelegram(per_second=RATE, chat_per_second=1.0) as fake:
            env = {
                **os.environ,
                "KOMPIS_DATABASE_URL": url,
                "KOMPIS_TELEGRAM_TOKEN": TOKEN,
                "KOMPIS_TELEGRAM_API_URL": fake.api_url,
                "KOMPIS_TELEGRAM_PER_SECOND": str(RATE),
                # webhook mode: three processes cannot all long-poll one bot
                "KOMPIS_TELEGRAM_WEBHOOK_URL": "http://127.0.0.1:9/telegram/webhook",
                "KOMPIS_TELEGRAM_WEBHOOK_SECRET": "bench_workers_secret",
                "KOMPIS_HTTP_PORT": "0",
                "KOMPIS_TICK_SECONDS": "2",
                "KOMPIS_LOG_LEVEL": "WARNING",
            }
            children = [
                subprocess.Popen(  # noqa: ASYNC220 (starting them does not block)
                    [sys.executable, "-m", "bot", "run"],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
                for _ in range(WORKERS)
            ]
            try:
                deadline = time.monotonic() + 120
                while sum(m == "setWebhook" for m, _ in fake.calls) < WORKERS:
                    if time.monotonic() > deadline or any(c.poll() is not None for c in children):
                        raise RuntimeError("the workers did not all start")
                    await asyncio.sleep(0.1)
                async with opened(url) as db, unit(db) as store:
                    await store.enqueue(
                        [Outgoing(p, "help", {"name": "Leader"}, key=f"w:{p}") for p in ids],
                        datetime.now(UTC),
                    )
                started = time.monotonic()
                limit = started + (people / RATE) * 4 + 20
                while fake.received() < people and time.monotonic() < limit:  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
                await asyncio.sleep(0.5)
            finally:
                for child in children:
                    child.send_signal(signal.SIGTERM)
                for child in children:
                    try:
                        await asyncio.to_thread(child.wait, 30)
                    except subprocess.TimeoutExpired:
                        child.kill()
                        await asyncio.to_thread(child.wait, 30)
                errors = [c.stderr.read().decode()[-600:] for c in children if c.stderr]
                for child in children:
                    if child.stderr:
                        child.stderr.close()
            failed = [
                e
                for c, e in zip(children, errors, strict=True)
                if c.returncode not in (0, -signal.SIGTERM)
            ]
            if failed:
                raise RuntimeError(f"a worker failed: {failed[0]}")
            moments = list(fake.accepted)
            per_chat = [len(m) for m in fake.messages.values()]
    span = moments[-1] - moments[0] if len(moments) > 1 else 0.0
    achieved = (len(moments) - 1) / span if span else 0.0
    return {
        "workers": WORKERS,
        "sent": people,
        "delivered": len(moments),
        "lost": people - len([n for n in per_chat if n >= 1]),
        "duplicated": sum(n - 1 for n in per_chat if n > 1),
        "429s": fake.refused_429,
        "combined_per_s": round(achieved, 2),
        "budget_per_s": RATE,
        "combined_of_budget": round(achieved / RATE, 4),
        "busiest_second": busiest_second(moments),
        "seconds_to_last": round(moments[-1] - started, 3) if moments else 0.0,
    }


def run(smoke: bool = False) -> dict[str, Any]:
    if not postgres_available():
        return {
            "name": "workers",
            "figures": {"skipped": "no PostgreSQL"},
            "targets": [target("PostgreSQL available", 0, "yes", False)],
        }
    f = asyncio.run(measure(150 if smoke else 3000))
    return {
        "name": "workers",
        "figures": f,
        "targets": [
            target(
                "3 workers: combined / one budget",
                f["combined_of_budget"],
                ">= 0.90",
                f["combined_of_budget"] >= 0.90,
            ),
            target(
                "3 workers: busiest second",
                f["busiest_second"],
                f"<= {int(RATE)}",
                f["busiest_second"] <= RATE,
            ),
            target(
                "3 workers: 429s", f["429s"], "<= 0.5 % of sends", f["429s"] <= 0.005 * f["sent"]
            ),
            target("3 workers: lost", f["lost"], "0", f["lost"] == 0),
            target("3 workers: duplicated", f["duplicated"], "0", f["duplicated"] == 0),
        ],
    }
