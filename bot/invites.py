"""`kompis invites`: one-time invitations for the people of a cohort, and revoking them.

Every person of the cohort without a linked Telegram account gets a new deep link and join
code (earlier unused ones stop working); only their hashes are stored, so the links exist
only in this run's output. Works beside a running bot (it does not take the bot's lock).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from bot.app import Kompis
from bot.domain.catalog import Catalog
from bot.domain.clock import Clock, SystemClock
from bot.domain.invites import digest, new_code, new_token, normalise_code
from bot.settings import Settings
from bot.storage.repo import unit

COLUMNS = ("email", "name", "organisation", "telegram_link", "join_code", "expires")


@dataclass(frozen=True)
class InviteLine:
    email: str
    name: str
    organisation: str
    telegram_link: str
    join_code: str
    expires: str


class UnknownPerson(LookupError):
    pass


async def issue(
    settings: Settings,
    catalog: Catalog,
    cohort_id: str,
    bot_username: str,
    clock: Clock | None = None,
) -> list[InviteLine]:
    clock = clock or SystemClock()
    cohort = catalog.cohort(cohort_id)
    app = Kompis(settings, clock, {}, catalog)
    await app.start(lock=False)
    now = clock.now()
    expires = now + timedelta(days=settings.invite_days)
    lines: list[InviteLine] = []
    try:
        async with unit(app.db) as store:
            for person_id in await store.people_without_identity(cohort_id, "telegram"):
                person = await store.person(person_id)
                assert person is not None
                token, code = new_token(), new_code()
                await store.issue_invite(
                    person_id, digest(token), digest(normalise_code(code)), now, expires
                )
                org = cohort.organisation(person.organisation) if person.organisation else None
                lines.append(
                    InviteLine(
                        person.email or "",
                        person.name,
                        org.name if org else "",
                        f"https://t.me/{bot_username}?start={token}",
                        code,
                        expires.astimezone(cohort.tz).date().isoformat(),
                    )
                )
    finally:
        await app.stop()
    return lines


async def revoke(
    settings: Settings, catalog: Catalog, email: str, clock: Clock | None = None
) -> int:
    """Revoke a person's open invitations; returns how many. Raises UnknownPerson."""
    clock = clock or SystemClock()
    app = Kompis(settings, clock, {}, catalog)
    await app.start(lock=False)
    try:
        async with unit(app.db) as store:
            person = await store.person_by_email(email)
            if person is None:
                raise UnknownPerson(email)
            return await store.revoke_invites(person.id, clock.now())
    finally:
        await app.stop()


def write_csv(lines: list[InviteLine], out: TextIO) -> None:
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for line in lines:
        writer.writerow([getattr(line, column) for column in COLUMNS])


def write_file(lines: list[InviteLine], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        write_csv(lines, out)
