"""The progress report: organisation × stage, how many of each organisation's participants
have finished each stage, and who has not started at all. Pure: the CLI table and CSV, and
the coordinator's and organiser's ``report`` in chat, all read this one model."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.domain.cohort import Cohort, organisation_name
from bot.domain.people import Person, Role
from bot.domain.programme import Programme
from bot.domain.progress import StageStatus, stage_statuses
from bot.domain.teamwork import share_team_work
from bot.domain.text import LocalText


@dataclass(frozen=True)
class Cell:
    done: int  # participants who finished every tracked activity of the stage
    total: int  # participants of the organisation

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass(frozen=True)
class StageColumn:
    module: str
    stage: str
    module_title: LocalText
    stage_title: LocalText
    opens: date

    @property
    def ref(self) -> str:
        return f"{self.module}/{self.stage}"


@dataclass(frozen=True)
class OrgRow:
    organisation: str  # the organisation's id
    name: str  # in the report's locale
    cells: tuple[Cell, ...]  # one per column
    not_started: tuple[str, ...]  # names of participants with nothing done in the columns


@dataclass(frozen=True)
class ProgressReport:
    cohort: str
    round: LocalText | None
    columns: tuple[StageColumn, ...]
    rows: tuple[OrgRow, ...]

    @property
    def totals(self) -> tuple[Cell, ...]:
        return tuple(
            Cell(sum(r.cells[i].done for r in self.rows), sum(r.cells[i].total for r in self.rows))
            for i in range(len(self.columns))
        )


def progress_report(
    programme: Programme,
    cohort: Cohort,
    people: Iterable[Person],
    done: dict[int, set[str]],
    today: date,
    locale: str,
    module: str | None = None,
    organisation: str | None = None,
) -> ProgressReport:
    """Every tracked stage opened by ``today`` (of ``module`` only, when given), per
    organisation (only ``organisation``, when given) in schedule order; leadership-team work
    one member did counts for the team's completion; each person on their own gathering
    group's dates. Not started: participants who did none of the columns' work themselves."""
    everyone = list(people)
    shared = share_team_work(programme, everyone, done).done
    participants = [p for p in everyone if p.has(Role.PARTICIPANT) and p.organisation]
    statuses = {
        p.id: _tracked(programme, cohort, shared.get(p.id, set()), p, today, module)
        for p in participants
    }
    sample = stage_statuses(programme, cohort, set())
    columns = tuple(
        StageColumn(s.module.id, s.stage.id, s.module.title, s.stage.title, s.opens)
        for s in sample
        if s.tracked and s.opens <= today and (module is None or s.module.id == module)
    )
    refs = [c.ref for c in columns]
    #: what the columns ask of each person; someone who did none of it themselves has not
    #: started (a teammate's team work does not count as their start)
    asked = {a.ref for s in sample if f"{s.module.id}/{s.stage.id}" in refs for a in s.tracked}
    rows = []
    for org in cohort.organisations:
        if organisation is not None and org.id != organisation:
            continue
        mine = sorted((p for p in participants if p.organisation == org.id), key=lambda p: p.name)
        by_ref = [{f"{s.module.id}/{s.stage.id}": s for s in statuses[p.id]} for p in mine]
        cells = tuple(
            Cell(sum(1 for own in by_ref if ref in own and own[ref].complete), len(mine))
            for ref in refs
        )
        idle = tuple(p.name for p in mine if not done.get(p.id, set()) & asked)
        rows.append(OrgRow(org.id, organisation_name(org, locale), cells, idle if refs else ()))
    return ProgressReport(cohort.id, cohort.round, columns, tuple(rows))


def _tracked(
    programme: Programme,
    cohort: Cohort,
    done: set[str],
    person: Person,
    today: date,
    module: str | None,
) -> list[StageStatus]:
    group = cohort.group_of(person.organisation)
    return [
        s
        for s in stage_statuses(programme, cohort, done, person.labs, group)
        if s.tracked and s.opens <= today and (module is None or s.module.id == module)
    ]
