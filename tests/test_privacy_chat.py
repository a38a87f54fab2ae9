"""``mydata`` and ``forget`` in chat: the export holds every row that names the person (found
by scanning every table, not by asking the code under test), ``forget`` asks first and a no
keeps everything, a yes leaves no row that names them, anonymous reflections stay without an
author, and messages to others that name them are withdrawn or scrubbed."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

from sqlmodel import select

from bot.domain.messages import Outgoing
from bot.domain.people import Visibility
from bot.domain.privacy import section
from bot.storage.outbox import OutboxStatus
from bot.storage.personal import table
from bot.storage.repo import unit
from bot.storage.tables import OutboxRow, ReflectionRow
from tests.helpers import Harness
from tests.privacy_support import naming

KARI, OLA = "kari.nordvik", "ola.bakken"
NAME, EMAIL = "Kari Nordvik", "kari.nordvik@tromso.example.org"


async def _busy_kari(harness: Harness) -> int:
    """Kari answers a reflection, and has one shared anonymously; Ola has one message about
    her sent and one still to go."""
    kari = await harness.person_id(KARI)
    await harness.advance(timedelta(days=2))
    await harness.say(KARI, "reflect")
    await harness.say(KARI, "Vi snakket om tillit og åpenhet i gruppa.")
    await harness.say(KARI, "survey")
    async with unit(harness.app.db) as store:
        person = await store.person(kari)
        assert person is not None
        await store.save_reflection(
            person, "x/y/anonymous", "Delt uten navn", harness.clock.now(), Visibility.ANONYMOUS
        )
        ola = await harness.person_id(OLA)
        now = harness.clock.now()
        intro = {"buddy": NAME, "email": EMAIL}
        await store.enqueue(
            [Outgoing(ola, "help", {"name": "Ola", **intro}, key="intro-sent")], now
        )
    await harness.app.sender.drain()
    async with unit(harness.app.db) as store:
        later = harness.clock.now() + timedelta(days=3)
        pending = Outgoing(ola, "help", {"name": "Ola", "buddy": NAME}, key="intro-pending")
        await store.enqueue([pending], harness.clock.now(), not_before=later)
    return kari


def _export(harness: Harness) -> dict[str, Any]:
    sent = harness.transport.sent[-1].message
    assert sent.attachment is not None and sent.attachment.media_type == "application/json"
    assert sent.attachment.filename.startswith("kompis-mydata-")
    return json.loads(base64.b64decode(sent.attachment.content))  # type: ignore[no-any-return]


async def test_mydata_holds_every_row_that_names_the_person(harness: Harness) -> None:
    kari = await _busy_kari(harness)
    stored = await naming(harness, kari)  # before: asking adds a message, a button
    await harness.say(KARI, "mine-data")
    doc = _export(harness)
    assert {"person", "identity", "membership", "reflection", "outbox", "completion"} <= set(stored)
    assert doc["person"]["email"] == EMAIL and doc["about"]["person_id"] == kari
    for name, keys in stored.items():
        if name == "person":
            continue
        primary = [c.name for c in table(name).primary_key.columns]
        exported = {tuple(row[c] for c in primary) for row in doc[section(name)]}
        assert set(keys) <= exported, name
    # the roles hang off the membership and name nobody themselves: they are there too
    assert doc["roles"] and {r["role"] for r in doc["roles"]} >= {"participant"}
    texts = {r["text"] for r in doc["reflections"]}
    assert "Vi snakket om tillit og åpenhet i gruppa." in texts
    raw = json.dumps(doc)
    assert "token_hash" not in raw and "code_hash" not in raw and "claimed_by" not in raw


async def test_forget_asks_first_and_no_keeps_everything(harness: Harness) -> None:
    kari = await _busy_kari(harness)
    before = await naming(harness, kari, NAME, EMAIL)
    await harness.say(KARI, "glem")
    assert "Vil du at jeg skal slette alt" in harness.last(KARI)
    await harness.say(KARI, "nei")
    assert "Ingenting er slettet" in harness.last(KARI)
    await harness.say(KARI, "forget")
    await harness.say(KARI, action="forget_no")
    assert "Ingenting er slettet" in harness.last(KARI)
    # an old yes button, pressed after the question was answered, only asks again
    await harness.say(KARI, action="forget_yes")
    assert "Vil du at jeg skal slette alt" in harness.last(KARI)
    await harness.say(KARI, "kanskje")
    assert "Ingenting er slettet" in harness.last(KARI)
    after = await naming(harness, kari, NAME, EMAIL)
    assert {t: len(k) for t, k in after.items() if t != "outbox"} == {
        t: len(k) for t, k in before.items() if t != "outbox"
    }


async def test_forget_yes_leaves_no_row_that_names_them(harness: Harness) -> None:
    kari = await _busy_kari(harness)
    await harness.say(OLA, "mydata")  # his file has the introduction naming Kari
    assert NAME in json.dumps(_export(harness), ensure_ascii=False)
    await harness.say(KARI, "gløym")
    await harness.say(KARI, "Ja")
    assert "Jeg har slettet alt jeg lagret om deg" in harness.last(KARI)
    assert await naming(harness, kari, NAME, EMAIL) == {}
    async with unit(harness.app.db) as store:
        kept = (await store.session.exec(select(ReflectionRow))).all()
        outbox = {r.key: r for r in (await store.session.exec(select(OutboxRow))).all()}
    assert [(r.person_id, r.text) for r in kept if r.activity_ref == "x/y/anonymous"] == [
        (None, "Delt uten navn")
    ]
    assert "intro-pending" not in outbox
    sent = outbox["intro-sent"]
    assert sent.status == OutboxStatus.SENT and "[removed]" in sent.params
    assert NAME not in sent.params and EMAIL not in sent.params
    (olas_file,) = [r for r in outbox.values() if r.extras and '"attachment"' in r.extras]
    content = json.loads(olas_file.extras)["attachment"]["content"]
    assert "[removed]" in base64.b64decode(content).decode()
    async with unit(harness.app.db) as store:
        assert await store.person_for_identity("memory", KARI) is None
        assert await store.person_by_email(EMAIL) is None


async def test_a_yes_long_after_the_question_only_asks_again(harness: Harness) -> None:
    kari = await harness.person_id(KARI)
    await harness.say(KARI, "forget")
    await harness.say(KARI, "status")  # an exact command: the question stays open
    await harness.advance(timedelta(hours=2))
    await harness.say(KARI, "ja")
    assert "Vil du at jeg skal slette alt" in harness.last(KARI)
    async with unit(harness.app.db) as store:
        assert await store.person_known(kari)
    await harness.say(KARI, "ja")  # now it is an answer to the question just asked
    assert "Jeg har slettet alt jeg lagret om deg" in harness.last(KARI)
