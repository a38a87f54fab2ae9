"""Which language Kompis writes to someone in: Sámi is not Swedish, unsupported languages
fall back to the cohort's, and a stranger's fallback is the language of the cohort their
platform account most plausibly belongs to, not simply the first cohort's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import Kompis
from bot.domain.clock import FakeClock
from bot.domain.messages import Inbound
from bot.rendering.i18n import negotiate, supported
from bot.settings import Settings
from bot.storage.repo import unit
from bot.transports.memory import MemoryTransport
from tests.helpers import ROOT, Harness, shipped_catalog

NB = "Jeg kjenner deg ikke ennå"
SV = "Jag vet inte vem du är än"


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("se", None),  # Northern Sámi
        ("se-NO", None),
        ("se_FI", None),
        ("sme", None),
        ("fi", None),
        ("nb-NO", "nb"),
        ("no", "nb"),
        ("nn", "nn"),
        ("sv-SE", "sv"),
        ("en-GB", "en"),
    ],
)
def test_supported_languages(tag: str, expected: str | None) -> None:
    assert supported(tag) == expected


def test_sami_falls_back_to_the_cohorts_language_not_swedish() -> None:
    assert negotiate("se", "nb") == "nb"
    assert negotiate("se-SE", "nn") == "nn"


async def test_a_sami_speaking_stranger_is_answered_in_the_cohorts_language(
    harness: Harness,
) -> None:
    await harness.app.handle(Inbound("memory", "ánde", "ánde", text="bures", locale_hint="se"))
    assert NB in harness.last("ánde")


@pytest.fixture
async def nordic(tmp_path: Path) -> AsyncIterator[tuple[Kompis, MemoryTransport]]:
    """All shipped cohorts (demo and tf-2027 in bokmål, vb-2027 in Swedish) in one bot, with
    the Västerbotten people in their own workspace and the Norwegians in another."""
    transport = MemoryTransport(platform="memory")
    clock = FakeClock(datetime(2027, 1, 4, 11, tzinfo=UTC))
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'nordic.db'}")
    app = Kompis(settings, clock, {"memory": transport}, shipped_catalog())
    await app.start()
    await app.import_participants("vb-2027", ROOT / "schedules" / "vb-2027.participants.csv")
    await app.import_participants("tf-2027", ROOT / "schedules" / "tf-2027.participants.csv")
    async with unit(app.db) as store:
        for cohort, workspace in (("vb-2027", "T-VB"), ("tf-2027", "T-TF")):
            for person in await store.people_in_cohort(cohort):
                handle = f"{cohort}-{person.id}"
                await store.link_identity(
                    person.id, "memory", handle, handle, clock.now(), workspace=workspace
                )
    try:
        yield app, transport
    finally:
        await app.stop()


async def test_a_strangers_fallback_is_the_cohort_of_their_workspace(
    nordic: tuple[Kompis, MemoryTransport],
) -> None:
    app, transport = nordic
    assert next(iter(app.catalog.cohorts.values())).locale == "nb"  # the first cohort's
    await app.handle(Inbound("memory", "u1", "u1", text="hej", workspace="T-VB"))
    assert SV in transport.texts("u1")[-1]
    await app.handle(Inbound("memory", "u2", "u2", text="hei", workspace="T-TF"))
    assert NB in transport.texts("u2")[-1]
    # the platform's language wins when Kompis writes it, also against the workspace's
    await app.handle(Inbound("memory", "u3", "u3", text="hi", workspace="T-VB", locale_hint="en"))
    assert "I do not know you yet" in transport.texts("u3")[-1]
    # Sámi in a Swedish workspace: the workspace's language, Swedish, because Kompis has no
    # Sámi, not because "se" is taken for Swedish
    sami = Inbound("memory", "u4", "u4", text="bures", workspace="T-VB", locale_hint="se")
    await app.handle(sami)
    assert SV in transport.texts("u4")[-1]
    # a workspace nobody is known in, with cohorts in two languages: bokmål
    await app.handle(Inbound("memory", "u5", "u5", text="hello", workspace="T-NEW"))
    assert NB in transport.texts("u5")[-1]
