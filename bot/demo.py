"""`kompis demo`: the bot on a SQLite file, the console transport, the sample cohort and a
simulated clock the person moves forward so reminders fire.

Lines starting with ``/clock`` move time (``/clock +2d``, ``+3h``, ``+1w``, ``2027-02-01``),
``/as <name>`` switches to another sample person, ``/who`` lists them; everything else is what
that person writes to Kompis (a number presses a button of the last message).
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TextIO

from bot.app import Kompis
from bot.curriculum.loader import load_catalog_or_raise
from bot.domain.clock import FakeClock
from bot.settings import Settings
from bot.storage.repo import unit
from bot.transports.console import PLATFORM, ConsoleTransport

_STEP = re.compile(r"^\+(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class DemoError(Exception):
    pass


def parse_clock(argument: str, now: datetime, tz: object) -> datetime:
    """``+2d`` -> now + 2 days; ``2027-02-01`` -> 08:00 that day; ``2027-02-01T10:30`` exact."""
    argument = argument.strip()
    step = _STEP.match(argument)
    if step:
        return now + timedelta(**{_UNITS[step.group(2)]: int(step.group(1))})
    try:
        moment = datetime.fromisoformat(argument)
    except ValueError as exc:
        raise DemoError(
            f"cannot read the time {argument!r}: use +2d, +3h, +1w or YYYY-MM-DD"
        ) from exc
    if "T" not in argument and " " not in argument:
        moment = datetime.combine(moment.date(), time(8, 0))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)  # type: ignore[arg-type]
    if moment < now:
        raise DemoError("the demo clock only moves forward")
    return moment


class Demo:
    def __init__(
        self,
        settings: Settings,
        cohort_id: str,
        person: str | None,
        out: TextIO,
        start: datetime | None = None,
        files: Path | None = None,
    ) -> None:
        self.out = out
        self.console = ConsoleTransport(out=out, files=files)
        catalog = load_catalog_or_raise(settings.content_dir, settings.schedules_dir)
        if cohort_id not in catalog.cohorts:
            raise DemoError(
                f"no cohort {cohort_id!r}; there are: {', '.join(sorted(catalog.cohorts))}"
            )
        self.cohort = catalog.cohort(cohort_id)
        first_open = min(d.opens for m in self.cohort.modules for d in m.stages.values())
        self.clock = FakeClock(
            start or self.cohort.local(first_open - timedelta(days=1), time(12, 0))
        )
        self.app = Kompis(settings, self.clock, {PLATFORM: self.console}, catalog)
        self.wanted_person = person
        self.handle = ""
        self.handles: list[str] = []

    async def start(self) -> None:
        await self.app.start()
        if self.cohort.participants:
            csv = self.app.settings.schedules_dir / self.cohort.participants
            await self.app.import_participants(self.cohort.id, csv, platform=PLATFORM)
        async with unit(self.app.db) as store:
            people = await store.people_in_cohort(self.cohort.id)
        self.handles = [p.email.split("@")[0] for p in people if p.email]
        if not self.handles:
            raise DemoError(f"cohort {self.cohort.id} has no participants to play")
        self.handle = self._find(self.wanted_person) if self.wanted_person else self.handles[0]
        self.console.focus = self.handle
        self._say(
            f"Kompis demo: cohort {self.cohort.id}, you are {self.handle}. "
            "Type 'help', '/clock +1d', '/as <name>', '/who' or '/quit'."
        )
        self._say_clock()

    def _find(self, wanted: str) -> str:
        wanted = wanted.lower().split("@")[0]
        matches = [h for h in self.handles if wanted in h]
        if not matches:
            raise DemoError(f"no sample person matches {wanted!r}; try /who")
        return matches[0]

    def _say(self, text: str) -> None:
        self.out.write(f"# {text}\n\n")
        self.out.flush()

    def _say_clock(self) -> None:
        local = self.clock.now().astimezone(self.cohort.tz)
        self._say(f"clock: {local:%A %Y-%m-%d %H:%M} {self.cohort.timezone}")

    async def advance(self, target: datetime) -> None:
        """Move time to ``target`` one occasion at a time, so each reminder fires on its moment."""
        await self.app.advance(self.clock, target, on_moment=self._say_clock)
        self._say_clock()

    async def line(self, raw: str) -> bool:
        """Handle one typed line; False means stop."""
        line = raw.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            return True
        word, _, rest = line.strip().partition(" ")
        try:
            if word == "/quit":
                return False
            if word == "/clock":
                await self.advance(parse_clock(rest, self.clock.now(), self.cohort.tz))
            elif word == "/as":
                self.handle = self.console.focus = self._find(rest)
                self._say(f"you are now {self.handle}")
            elif word == "/who":
                self._say("sample people: " + ", ".join(self.handles))
            else:
                await self.app.handle(self.console.to_inbound(self.handle, line))
        except DemoError as exc:
            self._say(str(exc))
        self._report_hidden()
        return True

    def _report_hidden(self) -> None:
        if self.console.hidden:
            self._say(
                f"{self.console.hidden} message(s) went to other people "
                "(/as <name> to be one of them)"
            )
            self.console.hidden = 0

    async def run_script(self, lines: Iterable[str], echo: bool = True) -> None:
        for raw in join_continued(lines):
            if echo and raw.strip():
                self.out.write(f"{self.handle} > {raw.rstrip()}\n\n")
            if not await self.line(raw):
                break

    async def interactive(self) -> None:
        while True:
            try:
                raw = await asyncio.to_thread(input, f"{self.handle} > ")
                while raw.endswith("\\"):
                    raw = raw[:-1] + "\n" + await asyncio.to_thread(input, "... ")
            except EOFError:
                break
            if not await self.line(raw):
                break

    async def stop(self) -> None:
        await self.app.stop()


def join_continued(lines: Iterable[str]) -> list[str]:
    """A line ending in a backslash continues on the next: one multi-line message."""
    joined: list[str] = []
    pending: str | None = None
    for raw in lines:
        line = raw.rstrip("\n")
        text = line if pending is None else pending + "\n" + line
        if text.endswith("\\"):
            pending = text[:-1]
        else:
            joined.append(text)
            pending = None
    if pending is not None:
        joined.append(pending)
    return joined


def script_lines(source: str) -> list[str]:
    if source == "-":
        return sys.stdin.read().splitlines()
    return Path(source).read_text(encoding="utf-8").splitlines()
