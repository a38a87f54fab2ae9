"""A part of a person's message of the day, and how parts combine into one message."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from bot.domain.messages import Button
from bot.domain.planner import OccasionKind

#: Most urgent first: what happens tomorrow, then what is due now, what opens, what is
#: overdue, and the coordinator's overview last.
RANK = {
    OccasionKind.GATHERING_EVE: 0,
    OccasionKind.EVENT_EVE: 0,
    OccasionKind.DUE: 1,
    OccasionKind.BEFORE_DUE: 1,
    OccasionKind.STAGE_OPEN: 2,
    OccasionKind.OVERDUE: 3,
    OccasionKind.DIGEST: 4,
    "buddy": 5,  # a buddy introduction or check-in (bot.features.folding), last
}


@dataclass(frozen=True)
class Part:
    """One thing a person is told in their message of the day."""

    kind: str  # the occasion kind as it reads today (a held "due" may read "overdue")
    template: str  # the fragment, ``_part_<template>.txt.j2``
    params: dict[str, Any]
    buttons: tuple[Button, ...] = ()
    topic: str = ""  # parts of one topic (one stage, one gathering) collapse into one

    @property
    def rank(self) -> int:
        return RANK.get(self.kind, 2)


def compose_parts(parts: Iterable[Part]) -> list[Part]:
    """One part per topic (the most urgent), most urgent first; a gathering's day and place
    are said once, by "your next gathering", when a message holds both."""
    best: dict[str, Part] = {}
    for part in parts:
        current = best.get(part.topic)
        if current is None or part.rank < current.rank:
            best[part.topic] = part
    eves = {p.topic.split(":")[1] for p in best.values() if p.template == "gathering_eve"}
    found = [
        replace(p, params=p.params | {"gathering": None})
        if p.template == "stage_info" and _module_of(p.topic) in eves
        else p
        for p in best.values()
    ]
    return sorted(found, key=lambda p: p.rank)


def _module_of(topic: str) -> str:
    """``stage:<module>/<stage>`` -> ``<module>``."""
    return topic.partition(":")[2].partition("/")[0]
