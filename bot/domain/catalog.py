"""Everything loaded from `content/` and `schedules/`: the programmes and their cohorts."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.cohort import Cohort
from bot.domain.programme import Programme


@dataclass
class Catalog:
    programmes: dict[str, Programme] = field(default_factory=dict)
    cohorts: dict[str, Cohort] = field(default_factory=dict)

    def cohort(self, cohort_id: str) -> Cohort:
        return self.cohorts[cohort_id]

    def programme_of(self, cohort_id: str) -> Programme:
        return self.programmes[self.cohorts[cohort_id].programme]
