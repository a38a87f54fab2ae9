"""What every `kompis` command does with errors organisers can fix: one line, no traceback.

A missing folder, a bad setting or an unreachable database exits 2; data files with problems
exit 1. The handling sits in the command group, so every sub-command gets it, also those added
later.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from bot.curriculum.problems import DataError
from bot.errors import ConfigError
from bot.storage.reach import BAD_URL, UNREACHABLE, reason, shown_url


def database_error(exc: BaseException, url: str | None) -> str:
    where = f" at {shown_url(url)}" if url else ""
    return (
        f"cannot reach the database{where}: {reason(exc)}; check KOMPIS_DATABASE_URL and "
        "that the database server is running and the database exists"
    )


def _database_url() -> str | None:
    try:
        from bot.settings import load_settings

        return load_settings().database_url
    except ConfigError:
        return None


class KompisGroup(TyperGroup):
    """The `kompis` command group: turns the errors above into one line and an exit code."""

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click.Context
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            raise _exit(str(exc), 2) from exc
        except DataError as exc:
            for problem in exc.problems:
                typer.echo(str(problem), err=True)
            raise _exit(
                f"{len(exc.problems)} problem(s) in the data files; fix them (kompis check "
                "lists them) and try again",
                1,
            ) from exc
        except UNREACHABLE as exc:
            raise _exit(database_error(exc, _database_url()), 2) from exc
        except BAD_URL as exc:
            raise _exit(
                f"KOMPIS_DATABASE_URL is not a database URL Kompis can use: {exc}", 2
            ) from exc


def _exit(message: str, code: int) -> typer.Exit:
    typer.echo(f"kompis: {message}", err=True)
    return typer.Exit(code)
