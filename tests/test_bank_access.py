"""Who sees a reflection, as data: every visibility × every kind of reader × every path that
shows reflections. A new path or level is one line in ``PATHS`` or ``READS``."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Awaitable, Callable

import pytest

from bot.bank_export import render, rows
from bot.domain.bank_access import Entry, Viewer, may_read, shows_author
from bot.domain.people import Role, Visibility
from bot.rendering.renderer import Renderer
from bot.serve_slack import SlackServices
from bot.storage.repo import unit
from tests.bank_support import AUTHOR_NAMES, HANDLES, World, world

KINDS = tuple(HANDLES)
NAMED_READERS = {"author", "buddy", "coordinator", "organiser"}
COHORT_READERS = NAMED_READERS | {"leader", "other_coordinator"}
#: visibility -> the kinds of reader who may read an entry (and its comments)
READS: dict[Visibility, set[str]] = {
    Visibility.PRIVATE: {"author"},
    Visibility.BUDDY: NAMED_READERS,
    Visibility.COHORT: COHORT_READERS,
    Visibility.ANONYMOUS: COHORT_READERS,
}

Shown = dict[str, list[str]]  # kind -> what that reader got on this path
Path = Callable[[World, int], Awaitable[Shown]]


async def _each(world_: World, *says: tuple[str, str | None]) -> Shown:
    shown: Shown = {}
    for kind in KINDS:
        got: list[str] = []
        for text, action in says:
            got += await world_.say(kind, text, action=action)
        shown[kind] = got
    return shown


async def bank_in_chat(world_: World, entry: int) -> Shown:
    """``bank`` (what others shared in the current module) and ``bank mine``."""
    return await _each(world_, ("bank", None), ("bank mine", None))


async def entry_by_number(world_: World, entry: int) -> Shown:
    """``bank <number>``: one entry and its thread (also a guessed number)."""
    return await _each(world_, (f"bank {entry}", None))


async def buddy_view(world_: World, entry: int) -> Shown:
    return await _each(world_, ("bank buddy", None))


async def comment_notifications(world_: World, entry: int) -> Shown:
    """Everyone tries to comment; then the author answers in the thread. A reader is shown
    the entry here when told of the author's answer (the author: of others' comments)."""
    before = {kind: len(world_.received(kind)) for kind in KINDS}
    for kind in KINDS:
        if kind != "author":
            await world_.say(kind, action=f"bank_comment:{entry}")
            await world_.say(kind, f"Kommentar fra {kind}")
    await world_.say("author", action=f"bank_comment:{entry}")
    await world_.say("author", "Svar fra forfatteren")
    shown: Shown = {}
    for kind in KINDS:
        got = world_.received(kind, before[kind])
        told = "Kommentar fra" if kind == "author" else "Svar fra forfatteren"
        shown[kind] = [t for t in got if told in t and "Takk" not in t and "Tack" not in t]
    return shown


async def app_home(world_: World, entry: int) -> Shown:
    """The Slack App Home of each reader (linked to Slack here, last: nothing is sent after)."""
    harness = world_.harness
    now = harness.clock.now()
    async with unit(harness.app.db) as store:
        for kind, person in world_.ids.items():
            await store.link_identity(person, "slack", f"U{kind}", f"D{kind}", now, "T1")
    services = SlackServices(
        harness.app.db, harness.catalog, harness.app.renderer, harness.clock, "nb"
    )
    return {kind: [(await services.home("T1", f"U{kind}", None))[0].text] for kind in KINDS}


def export(fmt: str) -> Path:
    async def run(world_: World, entry: int) -> Shown:
        async with unit(world_.harness.app.db) as store:
            found = await rows(store, world_.harness.catalog, "demo", "nb")
        data = render(found, fmt, Renderer(), "nb", "Refleksjonsbanken")
        return {"organiser": [data.decode("utf-8-sig")]}

    return run


async def privacy_export(world_: World, entry: int) -> Shown:
    """``mydata``: each reader's own file: the author's answers, and what the others were
    sent (so an answer is in a file only of someone who may read it)."""
    shown: Shown = {}
    for kind in KINDS:
        before = len(world_.harness.transport.sent)
        await world_.say(kind, "mydata")
        files = [
            json.loads(base64.b64decode(sent.message.attachment.content))
            for sent in world_.harness.transport.sent[before:]
            if sent.message.attachment is not None and sent.address.chat_id == HANDLES[kind]
        ]
        if kind in ("author", "buddy", "leader"):  # people with an account get their file
            assert files, f"{kind} got no mydata file"
        # what names others: the answers and comments, and the messages one was sent (one's
        # own person, organisation and accounts are one's own data)
        comments = [name for name in (files[0] if files else {}) if "comment" in name]
        about_others = ("reflections", "messages_to_you", *comments)
        shown[kind] = [
            json.dumps({k: f.get(k) for k in about_others}, ensure_ascii=False) for f in files
        ]
    return shown


def _reads(visibility: Visibility, kind: str) -> bool:
    return kind in READS[visibility]


#: path -> (what it shows, who should be shown the entry there)
PATHS: dict[str, tuple[Path, Callable[[Visibility, str], bool]]] = {
    "bank in chat": (bank_in_chat, _reads),
    "entry by number": (entry_by_number, _reads),
    "buddy view": (buddy_view, lambda v, kind: kind == "buddy" and _reads(v, kind)),
    "comment notifications": (
        comment_notifications,
        lambda v, kind: _reads(v, kind) and (kind != "author" or READS[v] != {"author"}),
    ),
    "app home": (app_home, lambda v, kind: _reads(v, kind) and kind != "author"),
    "export md": (export("md"), lambda v, _: v in (Visibility.COHORT, Visibility.ANONYMOUS)),
    "export csv": (export("csv"), lambda v, _: v in (Visibility.COHORT, Visibility.ANONYMOUS)),
    "export html": (export("html"), lambda v, _: v in (Visibility.COHORT, Visibility.ANONYMOUS)),
    # one's own file: one's answers, and the messages one was sent (readers were shown it)
    "privacy export": (privacy_export, _reads),
}


@pytest.mark.parametrize("visibility", list(Visibility))
async def test_the_access_matrix(
    database_url: str, visibility: Visibility, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    world_ = await world(database_url)
    try:
        answer = f"Svaret mitt er {visibility.value}-hemmelig."
        entry = await world_.answer(answer)
        await world_.share(entry, visibility)
        wrong = []
        for name, (path, expected) in PATHS.items():
            shown = await path(world_, entry)
            for kind, texts in shown.items():
                seen = any(answer in t for t in texts) or (
                    name == "comment notifications" and bool(texts)
                )
                if seen != expected(visibility, kind):
                    wrong.append(f"{name}: {kind} {'saw' if seen else 'did not see'} it")
                if visibility == Visibility.ANONYMOUS and kind != "author":
                    leaked = [n for n in AUTHOR_NAMES for t in texts if n in t]
                    assert not leaked, f"{name}: {kind} was shown {leaked}"
        assert wrong == []
        # nothing of the answer or its author in Kompis's logs, at any level (libraries'
        # debug output, aiosqlite's statements say, is the privacy log scan's to judge)
        ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot"))
        assert answer not in ours and "Kari Nordvik" not in ours
        if visibility == Visibility.ANONYMOUS:
            for sent in world_.harness.transport.sent:
                if sent.address.chat_id != HANDLES["author"]:
                    labels = " ".join(b.label + b.action for b in sent.message.buttons)
                    assert not [n for n in AUTHOR_NAMES if n in labels]
    finally:
        await world_.harness.stop()


ROLES = {
    "author": frozenset({Role.PARTICIPANT}),
    "buddy": frozenset({Role.PARTICIPANT}),
    "leader": frozenset({Role.PARTICIPANT}),
    "coordinator": frozenset({Role.PARTICIPANT, Role.COORDINATOR}),
    "other_coordinator": frozenset({Role.COORDINATOR}),
    "organiser": frozenset({Role.ORGANISER}),
    "other_cohort": frozenset({Role.PARTICIPANT}),
    "stranger": frozenset(),
}


def _viewer(kind: str) -> Viewer:
    person = {kind: n for n, kind in enumerate(KINDS, 1)}[kind]
    cohort = "b" if kind == "other_cohort" else "a"
    org = {"coordinator": "tromso", "other_coordinator": "alta", "author": "tromso"}.get(kind)
    buddies = frozenset({1}) if kind == "buddy" else frozenset()
    return Viewer(person, cohort, ROLES[kind], org, buddies)


@pytest.mark.parametrize("visibility", list(Visibility))
@pytest.mark.parametrize("kind", KINDS)
def test_the_policy_alone(visibility: Visibility, kind: str) -> None:
    entry = Entry(1, 1, "a", "tromso", visibility)
    assert may_read(entry, _viewer(kind)) == (kind in READS[visibility])
    hidden = Entry(1, 1, "a", "tromso", visibility, hidden=True)
    # hidden: only the author, and organisers (to show it again)
    assert may_read(hidden, _viewer(kind)) == (
        kind == "author" or (kind == "organiser" and kind in READS[visibility])
    )


def test_an_erased_author_reads_as_anonymous() -> None:
    assert not shows_author(Entry(1, None, "a", None, Visibility.COHORT))
    assert not shows_author(Entry(1, 1, "a", "tromso", Visibility.ANONYMOUS))
    assert shows_author(Entry(1, 1, "a", "tromso", Visibility.COHORT))
