"""Leadership-team work (``scope: team``): one member of an organisation's team marks it done,
it is done for that team only; the rest are not chased, and their status says who did it."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.people import Person, Role
from bot.domain.teamwork import share_team_work, team_refs
from bot.storage.repo import unit
from tests.helpers import Harness, shipped_catalog
from tests.reminder_support import record

TEAM_TASK = "organisasjon/forarbeid/gruppeoppgave"
#: The rest of the stage's tracked work, done by each person on their own.
OWN_WORK = [
    "organisasjon/forarbeid/refleksjon-stopp",
    "organisasjon/forarbeid/refleksjon-prove",
    "organisasjon/forarbeid/refleksjon-eier",
    "organisasjon/forarbeid/kartlegging",
]


async def test_a_team_task_done_by_one_stops_reminders_for_their_team_only(
    database_url: str,
) -> None:
    h = Harness(database_url, cohort="tf-2027")
    await h.start()
    try:
        rec = record(h)
        await h.advance(timedelta(days=2))  # Tuesday 12 January: pre-work is open
        # Silje (Tromsø) and Geir (Balsfjord) both meet on day 1 and did all their own work
        for handle in ("silje.berg", "geir.andreassen"):
            pid = await h.person_id(handle)
            async with unit(h.app.db) as store:
                for ref in OWN_WORK:
                    await store.mark_done(pid, ref, "test", h.clock.now())
        await h.say("per.olsen", action=f"done:{TEAM_TASK}")
        assert "ferdig for hele ledergruppen" in h.last("per.olsen")
        await h.say("silje.berg", "status")
        assert (
            "- Ledergruppen: tegn en tjeneste: gjort av ledergruppen din – Per Olsen merket den "
            "som ferdig" in h.last("silje.berg")
        )
        await h.say("geir.andreassen", "status")
        assert "- Ledergruppen: tegn en tjeneste: ikke gjort ennå" in h.last("geir.andreassen")
        before = {handle: len(rec.of(handle)) for handle in ("silje.berg", "geir.andreassen")}
        await h.advance(timedelta(days=31))  # to 12 February, past day 1's deadline
        later = {
            handle: [r for r in rec.of(handle)[before[handle] :] if "Forarbeid" in r.text]
            for handle in before
        }
        assert later["silje.berg"] == [], "Silje's team did the task: nothing left to chase"
        geir = [r.text for r in later["geir.andreassen"]]
        assert any("I dag er fristen." in t for t in geir), geir
        assert all("Ledergruppen: tegn en tjeneste" in t for t in geir)
        # Per's other teammates are not asked for the team task either
        anders = [r.text for r in rec.of("anders.johansen") if "Forarbeid" in r.text]
        assert anders and not any("tegn en tjeneste" in t for t in anders[1:])
    finally:
        await h.stop()


def _person(pid: int, name: str, org: str, *roles: Role) -> Person:
    return Person(pid, name, "tf-2027", org, frozenset(roles or (Role.PARTICIPANT,)))


def test_team_work_is_shared_within_one_organisation_and_only_team_work() -> None:
    programme = shipped_catalog().programme_of("tf-2027")
    assert TEAM_TASK in team_refs(programme)
    assert not set(OWN_WORK) & team_refs(programme)
    people = [
        _person(1, "Per Olsen", "tromso"),
        _person(2, "Silje Berg", "tromso"),
        _person(3, "Marit Isaksen", "tromso", Role.COORDINATOR),  # not a participant
        _person(4, "Geir Andreassen", "balsfjord"),
    ]
    done = {1: {TEAM_TASK, OWN_WORK[0]}, 2: set(), 3: set(), 4: set()}
    shared = share_team_work(programme, people, done)
    assert shared.done[2] == {TEAM_TASK}  # the team task, not Per's own reflection
    assert shared.by == {2: {TEAM_TASK: "Per Olsen"}}
    assert shared.done[3] == set() and shared.done[4] == set()
    assert done[2] == set(), "the input is left as it was"
