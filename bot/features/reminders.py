"""The planning pass: occasions from the planner become one planned message per person and
day in the outbox; what it says is composed when it is sent (``bot.features.compose``).

``plan`` is safe to run at any time and any number of times: each person's message of a day
has a fixed outbox key, and a per-cohort watermark remembers how far planning got. Planning
looks ``lookahead`` ahead, so a person whose own timezone is ahead of the cohort's still
gets their message at the send time on their own clock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.catalog import Catalog
from bot.domain.messages import Button, Outgoing
from bot.domain.people import Person
from bot.domain.planner import (
    Occasion,
    OccasionKind,
    due_between,
    occasions,
    person_moment,
    release_moment,
    split_by_grace,
)
from bot.domain.ports import StorePort
from bot.features.fanout import STAGE_KINDS, Audience
from bot.features.parts import Part
from bot.rendering.i18n import N_

#: The template of a planned message: its parts are composed at send time.
DAILY = "daily"


class Reminders:
    def __init__(
        self,
        catalog: Catalog,
        first_plan_lookback: timedelta = timedelta(hours=6),
        late_grace: timedelta = timedelta(hours=6),
        lookahead: timedelta = timedelta(hours=14),
    ):
        self.catalog = catalog
        self.lookback = first_plan_lookback
        self.grace = late_grace
        self.lookahead = lookahead
        self._occasions: dict[str, list[Occasion]] = {}
        # per cohort, how far ahead of the cohort's clock its people's own clocks run (the
        # full ``lookahead`` until its people were first read)
        self._ahead: dict[str, timedelta] = {}
        # per cohort, the audience last read and the version it was read at
        # (``StorePort.audience_version``): read again only when the version moved
        self._audiences: dict[str, tuple[tuple[int, int, int], Audience]] = {}

    def occasions(self, cohort_id: str) -> list[Occasion]:
        if cohort_id not in self._occasions:
            cohort = self.catalog.cohort(cohort_id)
            self._occasions[cohort_id] = occasions(self.catalog.programme_of(cohort_id), cohort)
        return self._occasions[cohort_id]

    def next_moment(self, after: datetime) -> datetime | None:
        """The next moment planning has something to do, in any cohort (the demo's clock
        stops there; queued messages add their own moments)."""
        moments = [
            moment
            for cid in self.catalog.cohorts
            for o in self.occasions(cid)
            for moment in {o.send_at - self._lookahead(cid), o.send_at}
            if moment > after
        ]
        return min(moments, default=None)

    def forget(self) -> None:
        """Drop the audiences kept between plans (a plan that failed may have read them in a
        transaction that was rolled back)."""
        self._audiences.clear()

    async def audience(
        self,
        store: StorePort,
        cohort_id: str,
        versions: dict[str, tuple[int, int, int]] | None = None,
    ) -> Audience:
        """The cohort's audience, read again only when something read of its people changed
        since it was last read, in this process or another. The version (from ``versions``
        when read this pass, else read now) is read before the audience: a change committed
        between the two reads only costs one more read."""
        if versions is not None and cohort_id in versions:
            version = versions[cohort_id]
        else:
            version = await store.audience_version(cohort_id)
        kept = self._audiences.get(cohort_id)
        if (
            kept is not None
            and kept[0] == version
            and kept[1].cohort is self.catalog.cohort(cohort_id)
        ):
            return kept[1]
        audience = await Audience.load(store, self.catalog, cohort_id)
        self._audiences[cohort_id] = (version, audience)
        return audience

    def _lookahead(self, cohort_id: str) -> timedelta:
        return self._ahead.get(cohort_id, self.lookahead)

    async def plan(self, store: StorePort, now: datetime) -> int:
        """Queue every message due up to ``now`` (and ``lookahead``); returns how many were
        new. The watermarks are read in one statement, and so are the audiences' versions
        (once a cohort has something due)."""
        cohorts = list(self.catalog.cohorts)
        watermarks = await store.planned_untils(cohorts)
        versions: dict[str, tuple[int, int, int]] = {}
        marks: dict[str, datetime] = {}
        added = 0
        for cohort_id in cohorts:
            added += await self._plan_cohort(
                store, cohort_id, now, watermarks.get(cohort_id), versions, marks
            )
        await store.set_planned_untils(marks)
        return added

    async def plan_cohort(self, store: StorePort, cohort_id: str, now: datetime) -> int:
        """Plan one cohort (as ``plan`` does each)."""
        return await self._plan_cohort(store, cohort_id, now, await store.planned_until(cohort_id))

    async def _plan_cohort(
        self,
        store: StorePort,
        cohort_id: str,
        now: datetime,
        watermark: datetime | None,
        versions: dict[str, tuple[int, int, int]] | None = None,
        marks: dict[str, datetime] | None = None,
    ) -> int:
        """Plan one cohort from ``watermark`` (its stored one); ``versions`` is filled with
        every cohort's audience version at the first cohort that has something due; the new
        watermark goes to ``marks`` (``plan`` sets them together), else is set now."""
        last = watermark or now - self.lookback
        horizon = now + self._lookahead(cohort_id)
        due = due_between(self.occasions(cohort_id), last, horizon)
        if not due and watermark is not None:
            return 0  # nothing new: leave the watermark, save a write per cohort per tick
        added = 0
        if due:
            if versions is not None and not versions:
                versions.update(await store.audience_versions())
            audience = await self.audience(store, cohort_id, versions)
            self._ahead[cohort_id] = min(self.lookahead, ahead_of(audience, now))
            recent, stale = split_by_grace(due, now, self.grace)
            for not_before, items in daily_messages(audience, recent).items():
                added += await store.enqueue(items, now, not_before=not_before)
            missed = missed_messages(audience, stale)
            if missed:
                at = release_moment(audience.cohort, now)
                added += await store.enqueue(missed, now, not_before=at)
        mark = max(horizon, watermark or horizon)
        if marks is None:
            await store.set_planned_until(cohort_id, mark)
        else:
            marks[cohort_id] = mark
        return added


def ahead_of(audience: Audience, now: datetime) -> timedelta:
    """How far the clock of the person furthest east runs ahead of the cohort's, plus an
    hour for the DST changes that do not fall on the same day everywhere; zero when all
    people keep the cohort's time."""
    base = audience.cohort.tz.utcoffset(now) or timedelta()
    offsets = [
        (ZoneInfo(p.timezone).utcoffset(now) or timedelta()) - base
        for p in audience.people
        if p.timezone and p.timezone != audience.cohort.timezone
    ]
    if not offsets:
        return timedelta()
    return max(timedelta(), max(offsets)) + timedelta(hours=1)


def daily_messages(audience: Audience, items: Iterable[Occasion]) -> dict[datetime, list[Outgoing]]:
    """One planned message per person and local day, holding the day's occasions that
    concern them, by the moment it may go out (the send time on their own clock)."""
    per_day: dict[tuple[int, date], tuple[Person, list[Occasion]]] = {}
    for occasion, person, _part in audience.fan_out(items):
        if (of_day := per_day.get(key := (person.id, occasion.day))) is None:
            per_day[key] = (person, [occasion])
        else:
            of_day[1].append(occasion)
    batches: dict[datetime, list[Outgoing]] = {}
    cohort = audience.cohort
    # people of one day and zone share a moment, people of one day and occasions a content
    moments: dict[tuple[date, str | None], datetime] = {}
    contents: dict[tuple[Occasion, ...], Planned] = {}
    for (_, day), (person, found) in per_day.items():
        if (moment := moments.get((day, person.timezone))) is None:
            moment = moments[day, person.timezone] = person_moment(cohort, day, person.timezone)
        if (content := contents.get(occasions_of := tuple(found))) is None:
            content = contents[occasions_of] = Planned.of(day, found)
        batches.setdefault(moment, []).append(content.to(cohort.id, person))
    return batches


@dataclass(frozen=True)
class Planned:
    """What a planned message holds (the occasions of a day, not yet what they say) and the
    digest of their keys that ends its outbox key."""

    day: date
    params: dict[str, Any]
    digest: str

    @classmethod
    def of(cls, day: date, items: list[Occasion]) -> Planned:
        digest = hashlib.sha1("|".join(o.key for o in items).encode()).hexdigest()[:12]
        return cls(day, {"day": day.isoformat(), "occasions": [o.to_json() for o in items]}, digest)

    def to(self, cohort_id: str, person: Person) -> Outgoing:
        """The person's copy; people with the same occasions share the (read-only) params."""
        return Outgoing(
            person.id,
            DAILY,
            self.params,
            (),
            key=f"{cohort_id}:{DAILY}:{self.day.isoformat()}:{person.id}:{self.digest}",
            kind="reminder",
        )


def planned(cohort_id: str, person: Person, day: date, items: list[Occasion]) -> Outgoing:
    """A planned message: which occasions, not yet what they say."""
    return Planned.of(day, items).to(cohort_id, person)


def missed_messages(audience: Audience, stale: list[Occasion]) -> list[Outgoing]:
    """One "what you missed" message per person for occasions too old to send one by one."""
    per_person: dict[int, list[dict[str, Any]]] = {}
    # an old progress digest is worth nothing: the next one is at most a week away
    stale = [o for o in stale if o.kind != OccasionKind.DIGEST]
    for occasion, person, part in audience.fan_out(stale):
        lines = per_person.setdefault(person.id, [])
        line = _missed_line(occasion, part)
        if line not in lines:
            lines.append(line)
    last = stale[-1].key if stale else "-"
    cohort = audience.cohort
    return [
        Outgoing(
            pid,
            "missed",
            {"items": lines, "tz": cohort.timezone},
            (Button(N_("Status"), "status"),),
            key=f"{cohort.id}:missed:{last}:{pid}",
            kind="reminder",
        )
        for pid, lines in per_person.items()
    ]


def _missed_line(occasion: Occasion, part: Part) -> dict[str, Any]:
    """One line of "what you missed"; every deadline reminder of a stage reads the same, so
    several of them collapse into one line."""
    p = part.params
    kind = "deadline" if occasion.kind in STAGE_KINDS - {OccasionKind.STAGE_OPEN} else occasion.kind
    return {
        "kind": kind,
        "stage": p.get("stage"),
        "module": p.get("module"),
        "due": p.get("due"),
        "title": p.get("title"),
        "date": p.get("date"),
    }
