"""Broadcasts: an organiser's message to a chosen part of a cohort, in every language.

Who gets it is a *selector*: ``all``, ``group:G`` (a gathering group), ``org:O`` (an
organisation) or ``role:R``; a comma joins selectors (anyone matched by one of them), a ``+``
narrows one (``group:dag-1+role:coordinator``: the coordinators of that group). A person
matched twice gets one message. What it says is a ``BroadcastMessage``: one text per locale
with ``{date}``, ``{time}``, ``{place}``, ``{agenda}`` and ``{link}`` filled in per recipient.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.cohort import Cohort, Gathering
from bot.domain.people import Person, Role
from bot.domain.text import LOCALES, LocalText

#: the variables a broadcast text may use
VARIABLES = ("date", "time", "place", "agenda", "link")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
MAX_TEXT = 3000  # one Telegram message with room for the correction mark and the answer


class BroadcastError(ValueError):
    """Bad organiser input: the message says which field and how to fix it."""


class Answer(StrEnum):
    """An RSVP."""

    COMING = "coming"
    NOT_COMING = "not_coming"
    MAYBE = "maybe"


class State(StrEnum):
    SCHEDULED = "scheduled"  # queued; nothing may be out yet
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Filter:
    """One condition on a person: ``kind`` is group, org or role."""

    kind: str
    value: str


#: one selector: every condition must hold (an empty one is ``all``)
Selector = tuple[Filter, ...]

_KINDS = {"group": "group", "org": "org", "organisation": "org", "role": "role"}


def parse_targets(text: str, cohort: Cohort) -> tuple[Selector, ...]:
    """``all``, ``group:G``, ``org:O``, ``role:R`` joined by ``,`` (or) and ``+`` (and),
    checked against the cohort's groups, organisations and the roles."""
    selectors: list[Selector] = []
    groups = {g.id for g in cohort.gathering_groups}
    orgs = {o.id for o in cohort.organisations}
    roles = {r.value for r in Role}
    for chunk in (c.strip() for c in text.split(",")):
        if not chunk:
            raise BroadcastError(f"--to {text!r}: an empty target (write e.g. all or org:alta)")
        if chunk.lower() == "all":
            selectors.append(())
            continue
        filters: list[Filter] = []
        for part in (p.strip() for p in chunk.split("+")):
            kind, sep, value = part.partition(":")
            kind = _KINDS.get(kind.lower(), "")
            known = {"group": groups, "org": orgs, "role": roles}.get(kind, set())
            if not sep or not kind:
                raise BroadcastError(
                    f"--to {part!r}: not a target (use all, group:G, org:O or role:R)"
                )
            if value not in known:
                raise BroadcastError(
                    f"--to {part!r}: no {kind} {value!r} in {cohort.id} "
                    f"(choose one of: {', '.join(sorted(known))})"
                )
            filters.append(Filter(kind, value))
        selectors.append(tuple(filters))
    return tuple(selectors)


def format_targets(selectors: Iterable[Selector]) -> str:
    return ",".join("+".join(f"{f.kind}:{f.value}" for f in s) or "all" for s in selectors)


def matches(person: Person, selector: Selector, groups: Mapping[str, str | None]) -> bool:
    for condition in selector:
        if condition.kind == "org" and person.organisation != condition.value:
            return False
        if condition.kind == "role" and condition.value not in person.roles:
            return False
        if condition.kind == "group" and groups.get(person.organisation or "") != condition.value:
            return False
    return True


def recipients(
    people: Iterable[Person], selectors: Iterable[Selector], groups: Mapping[str, str | None]
) -> list[Person]:
    """Everyone any selector matches, each once, in the order given."""
    chosen = list(selectors)
    return [p for p in people if any(matches(p, s, groups) for s in chosen)]


def organisations_of(selectors: Iterable[Selector], groups: Mapping[str, str | None]) -> set[str]:
    """The organisations a set of selectors can reach (``all`` without an org: every one)."""
    found: set[str] = set()
    for selector in selectors:
        orgs = {c.value for c in selector if c.kind == "org"}
        wanted = {c.value for c in selector if c.kind == "group"}
        if not orgs:
            orgs = {o for o, g in groups.items() if not wanted or g in wanted}
        found |= orgs
    return found


@dataclass(frozen=True)
class BroadcastMessage:
    """What a broadcast says: ``texts`` by locale (at least one) and its variables (``date``
    a date, ``time`` a time, ``place`` and ``agenda`` LocalText, ``link`` a string)."""

    texts: LocalText
    variables: dict[str, Any] = field(default_factory=dict)

    def missing_locales(self) -> list[str]:
        return [locale for locale in LOCALES if locale not in self.texts]

    def to_json(self) -> dict[str, Any]:
        values = {
            k: v.isoformat() if isinstance(v, date | time) else v for k, v in self.variables.items()
        }
        return {"texts": dict(self.texts), "variables": values}

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> BroadcastMessage:
        raw = dict(data.get("variables", {}))
        if "date" in raw:
            raw["date"] = date.fromisoformat(raw["date"])
        if "time" in raw:
            raw["time"] = time.fromisoformat(raw["time"])
        return BroadcastMessage(dict(data["texts"]), raw)


def parse_message(data: object, where: str) -> BroadcastMessage:
    """A message file's content (parsed YAML) as a BroadcastMessage; ``where`` names the file
    in the error."""
    if not isinstance(data, dict):
        raise BroadcastError(f"{where}: not a mapping (write text: {{nb: ..., sv: ...}})")
    unknown = sorted(set(data) - {"text", *VARIABLES})
    if unknown:
        raise BroadcastError(
            f"{where}: {unknown[0]}: unknown field (use text, {', '.join(VARIABLES)})"
        )
    texts = _local(data.get("text"), f"{where}: text")
    variables: dict[str, Any] = {}
    for name in ("place", "agenda"):
        if data.get(name) is not None:
            variables[name] = _local(data[name], f"{where}: {name}")
    if data.get("link") is not None:
        variables["link"] = str(data["link"]).strip()
    if data.get("date") is not None:
        variables["date"] = _date(data["date"], f"{where}: date")
    if data.get("time") is not None:
        variables["time"] = _time(data["time"], f"{where}: time")
    for locale, text in texts.items():
        if len(text) > MAX_TEXT:
            raise BroadcastError(
                f"{where}: text.{locale}: {len(text)} characters (shorten it to {MAX_TEXT})"
            )
    return BroadcastMessage(texts, variables)


def check_placeholders(message: BroadcastMessage, where: str, available: Iterable[str]) -> None:
    """Every ``{name}`` a text uses must be a variable the message (or its gathering) has."""
    have = set(available) | set(message.variables)
    for locale, text in message.texts.items():
        for name in PLACEHOLDER.findall(text):
            if name not in VARIABLES:
                raise BroadcastError(
                    f"{where}: text.{locale}: {{{name}}} is not a variable "
                    f"(use {', '.join('{' + v + '}' for v in VARIABLES)})"
                )
            if name not in have:
                raise BroadcastError(
                    f"{where}: text.{locale}: {{{name}}} has no value "
                    f"(add {name}: to the file, or --ics a gathering)"
                )


def _local(value: object, where: str) -> LocalText:
    """LocalText from a mapping by locale, or one string meaning the same in every locale."""
    if isinstance(value, str) and value.strip():
        return {locale: value.strip() for locale in LOCALES}
    if not isinstance(value, dict) or not value:
        raise BroadcastError(f"{where}: missing (write one text per locale: nb, nn, sv, en)")
    found: LocalText = {}
    for locale, text in value.items():
        if locale not in LOCALES:
            raise BroadcastError(f"{where}.{locale}: unknown locale (use nb, nn, sv or en)")
        if not isinstance(text, str) or not text.strip():
            raise BroadcastError(f"{where}.{locale}: empty (write the text, or leave it out)")
        found[str(locale)] = text.strip()
    return found


def _date(value: object, where: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise BroadcastError(f"{where}: {value!r} is not a date (write 2027-03-09)") from None


def _time(value: object, where: str) -> time:
    if isinstance(value, int):  # YAML reads 09:00 unquoted as minutes (sexagesimal)
        return time(value // 60 % 24, value % 60)
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise BroadcastError(f'{where}: {value!r} is not a time (write "09:00")') from None


def gathering_of(cohort: Cohort, ref: str) -> tuple[str, Gathering]:
    """``MODULE/GROUP`` -> (module id, the gathering of that group in that module)."""
    module, _, group = ref.partition("/")
    schedule = cohort.schedule_for(module)
    found = [g for g in schedule.gatherings if g.group == group] if schedule else []
    if not found:
        known = [f"{m.module}/{g.group}" for m in cohort.modules for g in m.gatherings]
        raise BroadcastError(
            f"--ics {ref!r}: no such gathering in {cohort.id} "
            f"(choose one of: {', '.join(known) or 'none scheduled'})"
        )
    return module, found[0]


def gathering_variables(gathering: Gathering) -> dict[str, Any]:
    return {"date": gathering.date, "time": gathering.start, "place": dict(gathering.place)}


def quiet_release(cohort: Cohort, moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment``, or the end of the cohort's quiet hours when it falls in them (local time
    in ``zone``); broadcasts that respect quiet hours wait for it, weekends do not."""
    policy = cohort.reminders
    local = moment.astimezone(zone)
    at = local.time().replace(tzinfo=None)
    if not policy.in_quiet_hours(at):
        return moment
    day = local.date() if at < policy.quiet_end else local.date() + timedelta(days=1)
    return datetime.combine(day, policy.quiet_end, tzinfo=zone)
