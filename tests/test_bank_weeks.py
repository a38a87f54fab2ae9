"""The bank over a season, on the injected clock: the current module's answers first, the
earlier module's a button away, and a consent changed weeks later applies at once."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.people import Visibility
from bot.storage.repo import unit
from tests.helpers import Harness

STOPP = "organisasjon/forarbeid/refleksjon-stopp"
KOMPETANSE = "ledelse/forarbeid/refleksjon-kompetanse"


async def test_the_current_module_first_over_weeks(database_url: str) -> None:
    harness = Harness(database_url, cohort="tf-2027")
    await harness.start()
    try:
        await harness.advance(timedelta(days=1))  # organisasjon opens
        await harness.say("per.olsen", action=f"reflect:{STOPP}")
        await harness.say("per.olsen", "Vi sluttet med papirskjema.")
        async with unit(harness.app.db) as store:
            per = await harness.person_id("per.olsen")
            entry = await store.reflection_id(per, STOPP)
        assert entry is not None
        await harness.say("per.olsen", action=f"bank_share:{entry}:cohort")
        await harness.say("silje.berg", "bank")
        assert "Vi sluttet med papirskjema." in harness.last("silje.berg")
        assert "Per Olsen" in harness.last("silje.berg")

        await harness.advance(timedelta(weeks=12))  # ledelse opened on 30 March
        await harness.say("silje.berg", "bank")
        assert harness.last("silje.berg").startswith("Ingen har delt et svar i ")
        labels = [b.label for b in harness.transport.sent[-1].message.buttons]
        assert any(label.startswith("Modul: ") for label in labels), labels
        await harness.say("silje.berg", "bank organisasjon")
        assert "Vi sluttet med papirskjema." in harness.last("silje.berg")

        await harness.say("anders.johansen", action=f"reflect:{KOMPETANSE}")
        await harness.say("anders.johansen", "Vi trenger mer kompetanse på data.")
        async with unit(harness.app.db) as store:
            anders = await harness.person_id("anders.johansen")
            second = await store.reflection_id(anders, KOMPETANSE)
        await harness.say("anders.johansen", action=f"bank_share:{second}:anonymous")
        await harness.say("silje.berg", "bank")
        shown = harness.last("silje.berg")
        assert "Vi trenger mer kompetanse på data." in shown and "anonym" in shown
        assert "Anders" not in shown and "papirskjema" not in shown  # this module only

        # weeks later Per takes his answer back: gone from the bank at once
        await harness.advance(timedelta(weeks=3))
        await harness.say("per.olsen", action=f"bank_share:{entry}:{Visibility.PRIVATE.value}")
        await harness.say("silje.berg", "bank organisasjon")
        assert "papirskjema" not in harness.last("silje.berg")
    finally:
        await harness.stop()
