"""What every benchmark shares: databases to run on, targets, percentiles, sample people."""

from __future__ import annotations

import os
import statistics
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from bot.domain.catalog import Catalog
from bot.domain.people import Role
from bot.storage.db import Database
from bot.storage.repo import unit
from tests.helpers import shipped_catalog

PG_URL = os.environ.get(
    "KOMPIS_BENCH_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test"
)


def target(name: str, value: float, goal: str, passed: bool) -> dict[str, Any]:
    """One line of pass/fail: ``goal`` is the issue's target in words (">= 95 %")."""
    return {"name": name, "value": round(value, 4), "target": goal, "pass": bool(passed)}


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[int(share * 1000) - 1]


def ratio(value: float, peer: float) -> float:
    return value / peer if peer else float("inf")


def _admin_dsn() -> str:
    url = make_url(PG_URL)
    return (
        f"host={url.host or '127.0.0.1'} port={url.port or 5432} "
        f"user={url.username or 'root'} dbname={url.database or 'test'}"
    )


def postgres_available() -> bool:
    try:
        with psycopg.connect(_admin_dsn(), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


@contextmanager
def database(kind: str) -> Iterator[str]:
    """A fresh empty database URL of ``kind`` ("sqlite" or "postgresql"), removed after."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="kompis-bench-") as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"
        return
    name = f"kompis_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def kinds() -> list[str]:
    """The databases this machine offers: SQLite always, PostgreSQL when it answers."""
    return ["sqlite", "postgresql"] if postgres_available() else ["sqlite"]


async def add_people(
    db: Database,
    count: int,
    platform: str = "telegram",
    first_chat: int = 10_000,
    cohort: str = "demo",
    workspace: str = "",
) -> list[int]:
    """``count`` fictional people of ``cohort``, each linked to a chat on ``platform``."""
    now = datetime.now(UTC)
    ids: list[int] = []
    for start in range(0, count, 500):  # short transactions: others may use the database
        ids += await _add_some(
            db, range(start, min(count, start + 500)), platform, first_chat, cohort, workspace, now
        )
    return ids


async def _add_some(
    db: Database,
    numbers: range,
    platform: str,
    first_chat: int,
    cohort: str,
    workspace: str,
    now: datetime,
) -> list[int]:
    ids = []
    async with unit(db) as store:
        for n in numbers:
            person = await store.add_person(
                name=f"Leader {n}",
                cohort_id=cohort,
                organisation="tromso",
                roles=frozenset({Role.PARTICIPANT}),
                now=now,
                email=f"leader{n}.{first_chat}@tromso.example.org",
                locale="nb",
            )
            chat = str(first_chat + n)
            await store.link_identity(person, platform, chat, chat, now, workspace=workspace)
            ids.append(person)
    return ids


async def add_people_on(
    db: Database, platform: str, users: list[str], chats: list[str], workspace: str = ""
) -> list[int]:
    """One fictional person per (user id, chat id) on ``platform``, in the demo cohort."""
    now = datetime.now(UTC)
    ids = []
    async with unit(db) as store:
        for n, (user, chat) in enumerate(zip(users, chats, strict=True)):
            person = await store.add_person(
                name=f"Leder {n}",
                cohort_id="demo",
                organisation="tromso",
                roles=frozenset({Role.PARTICIPANT}),
                now=now,
                email=f"leder{n}.{user.lower()}@tromso.example.org",
                locale="nb",
            )
            await store.link_identity(person, platform, user, chat, now, workspace=workspace)
            ids.append(person)
    return ids


@asynccontextmanager
async def opened(url: str, catalog: Catalog | None = None) -> AsyncIterator[Database]:
    """The database migrated, with the cohorts of ``catalog`` (the shipped one) in it."""
    db = Database(url)
    await db.upgrade()
    async with unit(db) as store:
        for cohort in (catalog or shipped_catalog()).cohorts.values():
            await store.sync_cohort(cohort)
    try:
        yield db
    finally:
        await db.dispose()
