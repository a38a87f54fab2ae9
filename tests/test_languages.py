"""One language per message: a programme without nynorsk does not offer it, and a nynorsk
reader of such a programme gets every message wholly in bokmål (interface and content), never
nynorsk sentences around bokmål content."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain.text import language_for
from bot.storage.repo import unit
from tests.helpers import Harness, shipped_catalog


@pytest.mark.parametrize(
    ("wanted", "offered", "expected"),
    [
        ("nn", ["nb", "nn", "sv", "en"], "nn"),
        ("nn", ["sv", "nb", "en"], "nb"),  # the sibling, not the programme's default (sv)
        ("nb", ["nn", "sv"], "nn"),
        ("en", ["sv", "nb"], "sv"),  # the programme's default
        ("sv", ["nb", "nn"], "nb"),
    ],
)
def test_language_for(wanted: str, offered: list[str], expected: str) -> None:
    default = offered[0]
    assert language_for(wanted, offered, default) == expected


@pytest.fixture
async def sweden(tmp_path: Path) -> AsyncIterator[Harness]:
    h = Harness(f"sqlite:///{tmp_path / 'vb.db'}", cohort="vb-2027")
    await h.start()
    yield h
    await h.stop()


async def set_locale(h: Harness, handle: str, locale: str) -> None:
    async with unit(h.app.db) as store:
        await store.update_person(await h.person_id(handle), locale=locale)


async def test_replies_to_a_nynorsk_reader_are_wholly_bokmal(sweden: Harness) -> None:
    me = "maria.holmgren"
    replies = {}
    for locale in ("nn", "nb"):
        await set_locale(sweden, me, locale)
        for word in ("status", "hjelp", "lab"):
            await sweden.say(me, word)
            replies[locale, word] = sweden.last(me)
    for word in ("status", "hjelp", "lab"):
        assert replies["nn", word] == replies["nb", word], word
    lab = shipped_catalog().programmes["digital-kompetens"].labs[0].title
    assert lab["nb"] in replies["nn", "lab"] and lab["sv"] not in replies["nn", "lab"]


async def test_planned_messages_to_a_nynorsk_reader_are_wholly_bokmal(sweden: Harness) -> None:
    # two participants of the same organisation, with nothing done: the same messages
    await set_locale(sweden, "maria.holmgren", "nn")
    await set_locale(sweden, "johan.lundqvist", "nb")
    await sweden.advance(timedelta(weeks=9))
    got = await _no_buddy(sweden, "maria.holmgren")
    assert len(got) >= 5
    # the same words, but each has their own learning buddy
    assert got == await _no_buddy(sweden, "johan.lundqvist")
    assert any("Møt læringsvennen din" in text for text in got)


async def _no_buddy(h: Harness, handle: str) -> list[str]:
    """What ``handle`` received, their buddies' names and organisations taken out."""
    texts = h.texts(handle)
    async with unit(h.app.db) as store:
        me = await h.person_id(handle)
        groups = [g for g in await store.buddy_groups(h.cohort.id) if me in g.members]
        ids = {m for g in groups for m in g.members if m != me}
        others = [await store.person(b) for b in sorted(ids)]
    for other in others:
        assert other is not None
        org = h.cohort.organisation(other.organisation or "")
        for said in (other.name, org.name if org else None):
            texts = [text.replace(said, "(buddy)") for text in texts] if said else texts
    # and their role ("- (buddy), leder, (buddy)")
    return [re.sub(r"\(buddy\), [^,\n]+, \(buddy\)", "(buddy)", text) for text in texts]


async def test_a_programme_without_nynorsk_does_not_offer_it(sweden: Harness) -> None:
    me = "erik.nystrom"
    await sweden.say(me, "språk")
    offered = [b.action for b in sweden.transport.sent[-1].message.buttons]
    assert offered == ["language:nb", "language:sv", "language:en"]
    await sweden.say(me, "språk nn")
    assert "nn" not in sweden.last(me).rsplit(":", 1)[-1]
    await sweden.say(me, "status")
    assert "Självstudier" in sweden.last(me)  # still Swedish: nn was refused
