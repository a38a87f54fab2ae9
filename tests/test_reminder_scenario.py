"""The whole demo module (nine weeks) on an injected clock: every message several people got,
in order, in their locale and local time; nothing on a weekend, holiday or in quiet hours."""

from __future__ import annotations

import time as timer
from datetime import timedelta

from bot.domain.planner import calendar_for
from tests.helpers import Harness
from tests.reminder_support import Received, record

OPEN_NB = "Nå starter Forarbeid: Hva er digital transformasjon?"
MODULE_NB = "Hva er digital transformasjon?"
MODULE_NN = "Kva er digital transformasjon?"
MODULE_SV = "Vad är digital transformation?"


def lines(received: list[Received]) -> list[str]:
    return [f"{r.at:%Y-%m-%d %H:%M} {r.first_line}" for r in received]


KARI = [
    f"2027-01-11 09:00 {OPEN_NB}",
    f"2027-01-29 09:00 Forarbeid i {MODULE_NB} har frist om 7 dager: fredag 5. februar 2027.",
    f"2027-02-04 09:00 Forarbeid i {MODULE_NB} har frist i morgen: fredag 5. februar 2027.",
    f"2027-02-05 09:00 I dag er fristen for Forarbeid i {MODULE_NB}.",
    f"2027-02-08 09:00 Neste samling: {MODULE_NB}",
    f"2027-02-08 09:00 Fristen for Forarbeid i {MODULE_NB} var fredag 5. februar 2027. "
    "Det er ikke for sent å bli ferdig.",
    f"2027-02-08 09:00 Nå starter Samling: {MODULE_NB}",
    f"2027-02-11 09:00 Nå starter Etterarbeid: {MODULE_NB}",
    f"2027-02-26 09:00 Etterarbeid i {MODULE_NB} har frist om 7 dager: fredag 5. mars 2027.",
    f"2027-03-04 09:00 Etterarbeid i {MODULE_NB} har frist i morgen: fredag 5. mars 2027.",
    f"2027-03-05 09:00 I dag er fristen for Etterarbeid i {MODULE_NB}.",
    f"2027-03-08 09:00 Fristen for Etterarbeid i {MODULE_NB} var fredag 5. mars 2027. "
    "Det er ikke for sent å bli ferdig.",
]

SIRI = [  # nynorsk, a participant and Alta's coordinator (weekly overview on Mondays)
    "2027-01-11 09:00 Vekeoversikt for Alta kommune",
    f"2027-01-11 09:00 No startar Førearbeid: {MODULE_NN}",
    "2027-01-18 09:00 Vekeoversikt for Alta kommune",
    "2027-01-25 09:00 Vekeoversikt for Alta kommune",
    f"2027-01-29 09:00 Førearbeid i {MODULE_NN} har frist om 7 dagar: fredag 5. februar 2027.",
    "2027-02-01 09:00 Vekeoversikt for Alta kommune",
    f"2027-02-04 09:00 Førearbeid i {MODULE_NN} har frist i morgon: fredag 5. februar 2027.",
    f"2027-02-05 09:00 I dag er fristen for Førearbeid i {MODULE_NN}.",
    f"2027-02-08 09:00 Neste samling: {MODULE_NN}",
    f"2027-02-08 09:00 Fristen for Førearbeid i {MODULE_NN} var fredag 5. februar 2027. "
    "Det er ikkje for seint å bli ferdig.",
    f"2027-02-08 09:00 No startar Samling: {MODULE_NN}",
    f"2027-02-11 09:00 No startar Etterarbeid: {MODULE_NN}",
    "2027-02-15 09:00 Vekeoversikt for Alta kommune",
    "2027-02-22 09:00 Vekeoversikt for Alta kommune",
    f"2027-02-26 09:00 Etterarbeid i {MODULE_NN} har frist om 7 dagar: fredag 5. mars 2027.",
    "2027-03-01 09:00 Vekeoversikt for Alta kommune",
    f"2027-03-04 09:00 Etterarbeid i {MODULE_NN} har frist i morgon: fredag 5. mars 2027.",
    f"2027-03-05 09:00 I dag er fristen for Etterarbeid i {MODULE_NN}.",
    "2027-03-08 09:00 Snart: Koordinatormøte etter modulen",
    f"2027-03-08 09:00 Fristen for Etterarbeid i {MODULE_NN} var fredag 5. mars 2027. "
    "Det er ikkje for seint å bli ferdig.",
]

ANNA = [  # Swedish, Kiruna meets on day 2 (10 February), so her gathering eve is the 9th
    "2027-01-11 09:00 Veckoöversikt för Kiruna kommun",
    f"2027-01-11 09:00 Förarbete har öppnat: {MODULE_SV}",
    "2027-01-18 09:00 Veckoöversikt för Kiruna kommun",
    "2027-01-25 09:00 Veckoöversikt för Kiruna kommun",
    f"2027-01-29 09:00 Sista dag för Förarbete i {MODULE_SV} är om 7 dagar: "
    "fredag 5 februari 2027.",
    "2027-02-01 09:00 Veckoöversikt för Kiruna kommun",
    f"2027-02-04 09:00 Sista dag för Förarbete i {MODULE_SV} är i morgon: fredag 5 februari 2027.",
    f"2027-02-05 09:00 I dag är sista dag för Förarbete i {MODULE_SV}.",
    f"2027-02-08 09:00 Sista dag för Förarbete i {MODULE_SV} var fredag 5 februari 2027. "
    "Det är inte för sent att bli klar.",
    f"2027-02-08 09:00 Träff har öppnat: {MODULE_SV}",
    f"2027-02-09 09:00 Nästa träff: {MODULE_SV}",
    f"2027-02-11 09:00 Efterarbete har öppnat: {MODULE_SV}",
    "2027-02-15 09:00 Veckoöversikt för Kiruna kommun",
    "2027-02-22 09:00 Veckoöversikt för Kiruna kommun",
    f"2027-02-26 09:00 Sista dag för Efterarbete i {MODULE_SV} är om 7 dagar: fredag 5 mars 2027.",
    "2027-03-01 09:00 Veckoöversikt för Kiruna kommun",
    f"2027-03-04 09:00 Sista dag för Efterarbete i {MODULE_SV} är i morgon: fredag 5 mars 2027.",
    f"2027-03-05 09:00 I dag är sista dag för Efterarbete i {MODULE_SV}.",
    "2027-03-08 09:00 Snart: Samordnarmöte efter modulen",
    f"2027-03-08 09:00 Sista dag för Efterarbete i {MODULE_SV} var fredag 5 mars 2027. "
    "Det är inte för sent att bli klar.",
]


def assert_never_off_hours(h: Harness, received: list[Received]) -> None:
    cal = calendar_for(h.cohort)
    policy = h.cohort.reminders
    for r in received:
        assert cal.is_working_day(r.at.date()), r
        assert not policy.in_quiet_hours(r.at.time()), r


async def test_whole_module_every_message_in_order(harness: Harness) -> None:
    rec = record(harness)
    started = timer.perf_counter()
    await harness.advance(timedelta(days=62))  # 10 January to 13 March 2027
    elapsed = timer.perf_counter() - started
    print(f"\nwhole module: {len(rec.log)} messages in {elapsed:.3f}s")  # shown with -s
    assert lines(rec.of("kari.nordvik")) == KARI
    assert lines(rec.of("siri.haugen")) == SIRI
    assert lines(rec.of("anna.lindqvist")) == ANNA
    assert rec.of("emma.hansen") == []  # the organiser is neither participant nor coordinator
    assert_never_off_hours(harness, rec.log)
    assert {r.at.time().isoformat("minutes") for r in rec.log} == {"09:00"}
    assert elapsed < 5, "simulated weeks must stay fast"


async def test_reminder_buttons_offer_snooze(harness: Harness) -> None:
    await harness.advance(timedelta(days=1))
    sent = [s for s in harness.transport.sent if s.address.chat_id == "kari.nordvik"]
    labels = [b.label for b in sent[-1].message.buttons]
    assert "Minn meg på det i morgen" in labels
