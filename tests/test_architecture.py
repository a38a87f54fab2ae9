"""Keep the dependency direction of architecture.md: the domain imports no platform, database
or template library, and only bot/transports imports the chat SDKs."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent / "bot"
FORBIDDEN_IN_DOMAIN = {
    "telegram",
    "slack_bolt",
    "slack_sdk",
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "jinja2",
    "babel",
    "psycopg",
    "aiosqlite",
    "apscheduler",
    "starlette",
    "bot.storage",
    "bot.rendering",
    "bot.transports",
    "bot.features",
    "bot.delivery",
    "bot.web",
    "bot.app",
    "bot.cli",
}
PLATFORM_SDKS = {"telegram", "slack_bolt", "slack_sdk"}
DB_LIBS = {"sqlalchemy", "sqlmodel", "alembic"}


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def offending(path: Path, banned: set[str]) -> set[str]:
    return {
        name for name in imports(path) if any(name == b or name.startswith(b + ".") for b in banned)
    }


def test_domain_is_pure() -> None:
    bad = {
        str(p.relative_to(BOT)): offending(p, FORBIDDEN_IN_DOMAIN)
        for p in (BOT / "domain").rglob("*.py")
    }
    assert {k: v for k, v in bad.items() if v} == {}


def test_only_transports_import_chat_sdks() -> None:
    bad = {
        str(p.relative_to(BOT)): offending(p, PLATFORM_SDKS)
        for p in BOT.rglob("*.py")
        if "transports" not in p.parts
    }
    assert {k: v for k, v in bad.items() if v} == {}


def test_only_storage_imports_the_database_libraries() -> None:
    bad = {
        str(p.relative_to(BOT)): offending(p, DB_LIBS)
        for p in BOT.rglob("*.py")
        if "storage" not in p.parts
    }
    assert {k: v for k, v in bad.items() if v} == {}


def test_the_check_catches_a_violation(tmp_path: Path) -> None:
    sneaky = tmp_path / "x.py"
    sneaky.write_text("from sqlmodel import select\nimport telegram.ext\n")
    assert offending(sneaky, FORBIDDEN_IN_DOMAIN) == {"sqlmodel", "telegram.ext"}
