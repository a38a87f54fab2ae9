"""Where a person stands: which stages are open, what is done, what is still due."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from bot.domain.calendar import WorkCalendar
from bot.domain.cohort import Cohort, LabWindow, StageDates
from bot.domain.programme import (
    LAB_REFLECTION,
    LABS_MODULE,
    LABS_STAGE,
    Activity,
    ActivityKind,
    Module,
    Programme,
    Stage,
)


@dataclass(frozen=True)
class ActivityStatus:
    ref: str
    activity: Activity
    done: bool
    #: leadership-team work a teammate marked done: their name (None when it was this person)
    by: str | None = None


@dataclass(frozen=True)
class StageStatus:
    module: Module
    stage: Stage
    opens: date
    due: date
    activities: tuple[ActivityStatus, ...]

    @property
    def tracked(self) -> tuple[ActivityStatus, ...]:
        return tuple(a for a in self.activities if a.activity.tracked)

    @property
    def complete(self) -> bool:
        return all(a.done for a in self.tracked)

    def is_open(self, today: date) -> bool:
        return self.opens <= today

    def overdue(self, today: date) -> bool:
        return today > self.due and not self.complete


def scheduled_stages(
    programme: Programme,
    cohort: Cohort,
    labs: tuple[str, ...] | None = None,
    group: str | None = None,
) -> Iterator[tuple[Module, Stage, StageDates]]:
    """Every stage the cohort gives dates to, in schedule order; then the lab track when the
    cohort has a lab window (with only the ``labs`` chosen, when given). A stage due per
    gathering group is due on ``group``'s own day (without a group: the latest, with every
    group's day in ``due_by_group``). With the policy's ``due_on_working_day`` a deadline on
    a weekend or holiday is the working day before it."""
    for sched in cohort.modules:
        module = programme.module(sched.module)
        if module is None:
            continue
        for stage in module.stages:
            dates = sched.stages.get(stage.id)
            if dates is not None:
                yield module, stage, _working_due(cohort, dates.for_group(group))
    if cohort.labs is not None and programme.labs and (labs is None or labs):
        yield from _lab_stages(programme, cohort.labs, cohort, labs)


def group_dates(cohort: Cohort, dates: StageDates) -> list[tuple[str | None, StageDates]]:
    """A stage's dates for each gathering group with a day of its own, and (None) for
    everyone else; just [(None, dates)] for a stage due on one day."""
    found: list[tuple[str | None, StageDates]] = [(None, dates)]
    for group in dates.due_by_group:
        found.append((group, _working_due(cohort, dates.for_group(group))))
    return found


def _lab_stages(
    programme: Programme, window: LabWindow, cohort: Cohort, labs: tuple[str, ...] | None
) -> Iterator[tuple[Module, Stage, StageDates]]:
    """The lab track: one stage on the window's dates for the labs without dates of their
    own, and one stage per lab with its own dates (its id the lab's id, its activities'
    refs still ``labs/chosen/...``). The window stage is always there when all labs are
    planned (``labs`` None): it is when the labs open and people are asked to choose."""
    lab_module = programme.labs_module(labs)
    chosen = lab_module.stages[0]
    undated = [a for a in chosen.activities if lab_of(a.id) not in window.dates]
    if labs is None or undated:
        stage = chosen.model_copy(update={"activities": undated})
        yield lab_module, stage, _working_due(cohort, window)
    for lab in programme.labs:
        own = window.dates.get(lab.id)
        mine = [a for a in chosen.activities if lab_of(a.id) == lab.id]
        if own is None or not mine:
            continue
        stage = chosen.model_copy(
            update={"id": lab.id, "title": lab.title, "summary": lab.summary, "activities": mine}
        )
        yield lab_module, stage, _working_due(cohort, own)


def lab_of(activity_id: str) -> str:
    """The lab an activity of the lab track belongs to (its task or its reflection)."""
    return activity_id.removesuffix(LAB_REFLECTION)


def _working_due(cohort: Cohort, dates: StageDates) -> StageDates:
    policy = cohort.reminders
    if not policy.due_on_working_day:
        return dates
    cal = WorkCalendar(cohort.country, policy.skip_weekends, policy.skip_holidays)
    due = max(cal.previous_working_day(dates.due), dates.opens)
    if dates.due_by_group:
        moved = {
            g: max(cal.previous_working_day(d), dates.opens) for g, d in dates.due_by_group.items()
        }
        return dates.model_copy(update={"due": due, "due_by_group": moved})
    return dates if due == dates.due else StageDates(opens=dates.opens, due=due)


def stage_statuses(
    programme: Programme,
    cohort: Cohort,
    done: set[str],
    labs: tuple[str, ...] = (),
    group: str | None = None,
    by: dict[str, str] | None = None,
) -> list[StageStatus]:
    """Every scheduled stage of the cohort, in date order, with this person's completion
    (their chosen ``labs`` included) on their gathering ``group``'s dates; ``by`` names the
    teammate who did leadership-team work, by ref."""
    found = [
        _status(module, stage, dates, done, by)
        for module, stage, dates in scheduled_stages(programme, cohort, labs, group)
    ]
    return sorted(found, key=lambda s: (s.opens, s.due))


def stage_status(
    programme: Programme,
    cohort: Cohort,
    module_id: str,
    stage_id: str | None,
    done: set[str],
    labs: tuple[str, ...] = (),
    group: str | None = None,
    by: dict[str, str] | None = None,
) -> StageStatus | None:
    """One scheduled stage with this person's completion, or None if it is not scheduled
    (reminder fan-out asks this once per person and occasion, so it builds only that stage)."""
    for module, stage, dates in scheduled_stages(programme, cohort, labs, group):
        if module.id == module_id and stage.id == stage_id:
            return _status(module, stage, dates, done, by)
    return None


def _status(
    module: Module,
    stage: Stage,
    dates: StageDates,
    done: set[str],
    by: dict[str, str] | None = None,
) -> StageStatus:
    # a lab keeps its refs (``labs/chosen/<lab>``) whichever dates it has
    stage_id = LABS_STAGE if module.id == LABS_MODULE else stage.id
    refs = [f"{module.id}/{stage_id}/{a.id}" for a in stage.activities]
    names = by or {}
    acts = tuple(
        ActivityStatus(ref, a, ref in done, names.get(ref))
        for ref, a in zip(refs, stage.activities, strict=True)
    )
    return StageStatus(module, stage, dates.opens, dates.due, acts)


def current(statuses: list[StageStatus], today: date) -> list[StageStatus]:
    """Open stages that still ask something of the person, or whose deadline has not passed."""
    return [s for s in statuses if s.is_open(today) and (not s.complete or s.due >= today)]


def upcoming(statuses: list[StageStatus], today: date) -> StageStatus | None:
    return next((s for s in statuses if s.opens > today), None)


def next_open(
    statuses: list[StageStatus], today: date, kind: ActivityKind = ActivityKind.REFLECTION
) -> ActivityStatus | None:
    """The first activity of ``kind`` not done yet in an open stage."""
    for status in statuses:
        if not status.is_open(today):
            continue
        for item in status.activities:
            if item.activity.kind == kind and not item.done:
                return item
    return None
