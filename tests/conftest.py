"""Shared fixtures: a database URL per backend (SQLite always; PostgreSQL when it answers, and
always in CI), and a harness running the real app on the memory transport and a fake clock."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.helpers import Harness
from tests.netguard import loopback_only

PG_URL = os.environ.get("KOMPIS_TEST_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def _offline() -> Iterator[None]:
    """Every test runs offline by construction: only loopback connections are allowed."""
    with loopback_only():
        yield


@pytest.fixture(autouse=True)
def _logging_as_it_was() -> Iterator[None]:
    """A command run in-process sets up logging (a handler on the root logger bound to the
    test's captured stderr); put the root logger back so later tests do not write to a
    closed stream."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def _pg_admin_dsn() -> str:
    url = make_url(PG_URL)
    return (
        f"host={url.host or '127.0.0.1'} port={url.port or 5432} "
        f"user={url.username or 'root'} dbname={url.database or 'test'}"
    )


def _pg_available() -> str | None:
    try:
        with psycopg.connect(_pg_admin_dsn(), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"no PostgreSQL at {make_url(PG_URL).host}:{make_url(PG_URL).port}: {exc}"


@pytest.fixture(scope="session")
def pg_reason() -> str | None:
    return _pg_available()


@pytest.fixture
def postgres_url(pg_reason: str | None) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    if pg_reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs PostgreSQL: {pg_reason}")
        pytest.skip(pg_reason)
    name = f"kompis_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_pg_admin_dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_pg_admin_dsn(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kompis.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def harness(database_url: str) -> AsyncIterator[Harness]:
    h = Harness(database_url)
    await h.start()
    try:
        yield h
    finally:
        await h.stop()
