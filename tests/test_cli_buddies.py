"""`kompis buddies pair|list|swap|unpair|include` on both databases, beside what the planner
does: pairs and statistics printed, a dry run writes nothing, swaps checked against the rules,
an unpaired person's buddy re-paired at once, bad input one line and exit code 2."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.features.buddy_rounds import BuddyRounds, RoundChange
from bot.storage.db import Database
from bot.storage.repo import Store, unit
from tests.helpers import Harness

COHORT = "vb-2027"
runner = CliRunner()
T = TypeVar("T")


@pytest.fixture
def vb(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """vb-2027 imported, everyone joined (on the memory platform); commands use its database."""

    async def setup() -> None:
        h = Harness(database_url, cohort=COHORT)
        await h.start()
        await h.stop()

    asyncio.run(setup())
    monkeypatch.setenv("KOMPIS_DATABASE_URL", database_url)
    yield database_url


def kompis(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["buddies", *args])
    return result.exit_code, result.output


def _read(url: str, query: Callable[[Store], Awaitable[T]]) -> T:
    async def go() -> T:
        db = Database(url)
        try:
            async with unit(db) as store:
                return await query(store)
        finally:
            await db.dispose()

    return asyncio.run(go())


def groups_of(url: str, round_: int = 1) -> list[tuple[int, ...]]:
    async def query(store: Store) -> list[tuple[int, ...]]:
        return [g.members for g in await store.buddy_groups(COHORT, round_, open_only=True)]

    return _read(url, query)


def emails(url: str) -> dict[int, str]:
    async def query(store: Store) -> dict[int, str]:
        return {p.id: p.email or "" for p in await store.people_in_cohort(COHORT)}

    return _read(url, query)


def test_pair_prints_groups_and_statistics_and_dry_run_writes_nothing(vb: str) -> None:
    code, out = kompis("pair", "--cohort", COHORT, "--dry-run", "--seed", "7")
    assert code == 0, out
    assert "Round 1 of vb-2027 (seed 7): groups that would be made" in out
    assert "9 group(s), 0 trio(s), 18 people with a buddy" in out
    assert "cross-organisation 100%, repeats 0" in out
    assert re.search(r"a shared language 100%", out)
    assert "Nobody is left out." in out
    assert groups_of(vb) == []

    code, again = kompis("pair", "--cohort", COHORT, "--dry-run", "--seed", "7")
    assert again.replace("would be", "") == out.replace("would be", "")  # same seed, same pairs

    code, out = kompis("pair", "--cohort", COHORT, "--seed", "7")
    assert code == 0, out
    assert "groups that were made" in out
    made = groups_of(vb)
    assert len(made) == 9

    code, out = kompis("pair", "--cohort", COHORT, "--seed", "8")
    assert code == 2
    assert "round 1 of vb-2027 is made already (seed 7); --seed only applies to a new round" in out
    code, out = kompis("pair", "--cohort", COHORT)  # made: only newcomers would be placed
    assert code == 0 and "was made already" in out
    assert groups_of(vb) == made

    code, out = kompis("list", "--cohort", COHORT)
    assert code == 0, out
    assert "Round 1 of vb-2027 (seed 7)" in out and "9 group(s)" in out


def test_swap_checks_the_rules_and_unpair_re_pairs_the_buddy(
    vb: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    told: list[RoundChange] = []

    async def listener(store: object, change: RoundChange, now: object) -> None:
        told.append(change)

    real_init = BuddyRounds.__init__

    def with_listener(self: BuddyRounds, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        self.listeners.append(listener)  # as introductions would be registered

    monkeypatch.setattr(BuddyRounds, "__init__", with_listener)
    assert kompis("pair", "--cohort", COHORT)[0] == 0
    assert len(told) == 1 and len(told[0].created) == 9
    made = groups_of(vb)
    mail = emails(vb)
    orgs = {pid: mail[pid].split("@")[1] for pid in mail}
    (a, x), (b, y) = next(
        (g, h)
        for g in made
        for h in made
        if g != h and len({orgs[g[0]], orgs[g[1]], orgs[h[0]], orgs[h[1]]}) == 4
    )
    code, out = kompis("swap", "--cohort", COHORT, mail[a], mail[b])
    assert code == 0, out
    after = groups_of(vb)
    assert tuple(sorted((b, x))) in after and tuple(sorted((a, y))) in after
    assert [g.members for g in told[-1].created] == [tuple(sorted((b, x))), tuple(sorted((a, y)))]
    assert len(told[-1].ended) == 2

    code, out = kompis("swap", "--cohort", COHORT, mail[a], mail[b])  # back: met before
    assert code == 2
    assert "were buddies before; choose someone else, or add --force" in out
    assert kompis("swap", "--cohort", COHORT, mail[a], mail[b], "--force")[0] == 0
    assert tuple(sorted((a, x))) in groups_of(vb)

    # p takes r's place beside t, of p's own organisation: refused, even with --force
    now = groups_of(vb)
    p, r = next(
        (g[i], h[j])
        for g in now
        for h in now
        if g != h
        for i in (0, 1)
        for j in (0, 1)
        if orgs[g[i]] == orgs[h[1 - j]]
    )
    code, out = kompis("swap", "--cohort", COHORT, mail[p], mail[r], "--force")
    assert code == 2, out
    assert "are of one organisation" in out and "--force does not change this" in out
    assert groups_of(vb) == now

    before = groups_of(vb)
    leaver_group = before[0]
    leaver, alone = leaver_group
    code, out = kompis("unpair", "--cohort", COHORT, mail[leaver])
    assert code == 0, out
    assert f"{mail[leaver]} is taken out of pairing" in out
    assert told[-1].ended[0].members == leaver_group
    now = groups_of(vb)
    assert all(leaver not in g for g in now)
    assert any(alone in g for g in now)  # re-paired at once (joined a pair)
    for group in before[1:]:
        assert any(set(group) <= set(g) for g in now)
    assert kompis("unpair", "--cohort", COHORT, mail[leaver])[0] == 2
    code, out = kompis("list", "--cohort", COHORT)
    assert "opted out or taken out" in out
    code, out = kompis("include", "--cohort", COHORT, mail[leaver])
    assert code == 0, out
    assert any(leaver in g for g in groups_of(vb))


BAD = [
    (["pair", "--cohort", "nope"], "unknown cohort 'nope'; known cohorts: "),
    (["list", "--cohort", COHORT, "--round", "3"], "round 3 of vb-2027 is not made"),
    (["pair", "--cohort", COHORT, "--round", "9"], "vb-2027 has no round 9; its rounds are"),
    (["swap", "--cohort", COHORT, "a@x.org", "b@x.org"], "no person with the e-mail"),
    (["unpair", "--cohort", COHORT, "nobody@x.org"], "no person with the e-mail"),
]


def test_bad_input_is_one_line_and_exit_2(vb: str) -> None:
    assert kompis("list", "--cohort", COHORT) == (
        0,
        "no buddy rounds in vb-2027 yet; make one with kompis buddies pair --cohort vb-2027\n",
    )
    assert kompis("pair", "--cohort", COHORT)[0] == 0
    for args, message in BAD:
        code, out = kompis(*args)
        assert code == 2, (args, out)
        assert message in out and "Traceback" not in out
        assert len(out.strip().splitlines()) == 1
