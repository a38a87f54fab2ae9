"""The weekly digest: each coordinator sees their own organisation's leaders, Monday 09:00,
only while a stage is open."""

from __future__ import annotations

from datetime import timedelta

from tests.helpers import Harness
from tests.reminder_support import record


async def test_coordinator_digest_counts_the_other_leaders(harness: Harness) -> None:
    rec = record(harness)
    await harness.advance(timedelta(days=1))  # Monday 11 January 12:00
    for _ in range(2):
        await harness.say("kari.nordvik", action="reflect")
        await harness.say("kari.nordvik", "Et svar.")
    await harness.advance(timedelta(days=7))  # Monday 18 January 12:00
    ola = [r for r in rec.of("ola.bakken") if r.first_line.startswith("Ukeoversikt")]
    # not on the day the stage opens (nothing to act on yet), but a week later
    assert [f"{r.at:%a %d %H:%M}" for r in ola] == ["Mon 18 09:00"]
    # about the other leaders of Tromsø: Ola, a leader himself, is not in his own overview
    assert ola[-1].text.splitlines() == [
        "Ukeoversikt for Tromsø kommune",
        "",
        "Forarbeid – Hva er digital transformasjon?",
        "Frist: 5. februar 2027",
        "",
        "Oppgaver hver leder har gjort, av 3:",
        "- Kari Nordvik: 2/3",
    ]
    assert not any("Ukeoversikt" in r.text for r in rec.of("kari.nordvik"))  # not a coordinator
    assert not any("oversikt" in r.text for r in rec.of("emma.hansen"))


async def test_lone_coordinator_gets_no_digest_of_themselves(harness: Harness) -> None:
    """Johan is Haparanda's only leader: an overview would list just him, so none is sent,
    not even while he is behind himself (his own reminders tell him that)."""
    rec = record(harness)
    await harness.advance(timedelta(days=30))
    johan = rec.of("johan.berglund")
    assert johan, "Johan still gets his own reminders"
    assert not any("Veckoöversikt" in r.text for r in johan)
    assert any("Ukeoversikt" in r.text for r in rec.of("ola.bakken"))


async def test_digest_lists_two_leaders_but_not_their_coordinator(database_url: str) -> None:
    h = Harness(database_url, cohort="tf-2027")
    await h.start()
    try:
        rec = record(h)
        await h.advance(timedelta(days=8))  # Monday 18 January 12:00
        kristin = [r for r in rec.of("kristin.larsen") if r.first_line.startswith("Ukeoversikt")]
        assert [f"{r.at:%a %d %H:%M}" for r in kristin] == ["Mon 18 09:00"]
        rows = [line for line in kristin[-1].text.splitlines() if line.startswith("- ")]
        assert sorted(rows) == ["- Camilla Moe: 0/5", "- Ola Strand: 0/5"]
        assert "Kristin Larsen" not in kristin[-1].text
    finally:
        await h.stop()


async def test_no_digest_without_an_open_stage(harness: Harness) -> None:
    rec = record(harness)
    await harness.advance(timedelta(days=70))
    digest_days = {r.at.date() for r in rec.log if "Ukeoversikt for" in r.first_line}
    assert digest_days, "digests were sent while stages were open"
    assert all(d.weekday() == 0 for d in digest_days)
    # 8 February: only the untracked gathering stage is open; 8 March on: nothing is open
    # 11 January: the stage opened that day, nobody could be behind yet; 15 February:
    # etterarbeid has been open four days and is due in March
    assert {d.isoformat() for d in digest_days} == {
        "2027-01-18",
        "2027-01-25",
        "2027-02-01",
        "2027-02-22",
        "2027-03-01",
    }


async def test_digest_names_leaders_kompis_cannot_reach(harness: Harness) -> None:
    """A leader who blocked the bot shows up in their own coordinator's digest, and only
    there (the delivery half marks the identity unreachable)."""
    rec = record(harness)
    harness.transport.blocked.add("kari.nordvik")
    await harness.advance(timedelta(days=1))  # the stage opening to Kari fails: blocked
    harness.transport.blocked.clear()
    await harness.advance(timedelta(days=7))
    ola = [r for r in rec.of("ola.bakken") if r.first_line.startswith("Ukeoversikt")]
    assert ola[-1].text.splitlines()[-2:] == [
        "Kompis får ikke kontakt med disse lederne. De kan ha blokkert boten eller forlatt "
        "plattformen. Ta kontakt med dem på en annen måte:",
        "- Kari Nordvik",
    ]
    assert not any("Kari Nordvik" in r.text for r in rec.of("johan.berglund"))
