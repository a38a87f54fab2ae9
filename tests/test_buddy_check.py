"""`kompis check` on the schedule's `buddies:` block: bad values are named by field with the
fix; odd but workable settings are warnings; the size classes and rounds follow the block."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bot.domain.buddy_policy import BuddyPolicy
from bot.domain.buddy_rounds import buddy_rounds, current_round
from tests.helpers import ROOT, shipped_catalog
from tests.test_curriculum import edit_yaml, run_check

VB = Path("schedules") / "vb-2027.yaml"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copytree(ROOT / "schedules", tmp_path / "schedules")
    return tmp_path


def test_an_unknown_round_kind_names_the_field(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edit_yaml(data / VB, lambda d: d.update(buddies={"rounds": "weekly"}))
    code, output = run_check(data, monkeypatch)
    assert code == 1
    assert (
        "schedules/vb-2027.yaml: buddies.rounds: 'weekly' is not one of the choices "
        "(use one of 'programme' or 'module')"
    ) in output


def test_a_negative_weight_and_an_unknown_key(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edit_yaml(data / VB, lambda d: d.update(buddies={"weights": {"language": -1}, "pairs": 2}))
    code, output = run_check(data, monkeypatch)
    assert code == 1
    assert "schedules/vb-2027.yaml: buddies.weights.language: " in output
    assert "schedules/vb-2027.yaml: buddies.pairs: " in output


def test_size_bands_out_of_order(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edit_yaml(data / VB, lambda d: d.update(buddies={"size_bands": [50000, 10000]}))
    code, output = run_check(data, monkeypatch)
    assert code == 1
    assert (
        "schedules/vb-2027.yaml: buddies.size_bands: size bands must be positive and ascending, "
        "not [50000, 10000] (list where each size class begins, smallest first, e.g. "
        "[10000, 50000])"
    ) in output


def test_all_weights_zero_is_a_warning(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    zero = {"same_group": 0, "language": 0, "role_mix": 0, "size_mix": 0}
    edit_yaml(data / VB, lambda d: d.update(buddies={"weights": zero}))
    code, output = run_check(data, monkeypatch)
    assert code == 0, output
    assert "buddies.weights: warning: every preference weighs 0" in output


def test_an_organisation_size_must_be_positive(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edit_yaml(data / VB, lambda d: d["organisations"][0].update(size=0))
    code, output = run_check(data, monkeypatch)
    assert code == 1
    assert "schedules/vb-2027.yaml: organisations.umea.size: 0 is too small (use 1 or more)" in (
        output
    )


def test_size_classes_and_rounds() -> None:
    policy = BuddyPolicy(size_bands=[10_000, 50_000])
    assert policy.size_class("municipality", 4_000) == "band-0"
    assert policy.size_class("municipality", 10_000) == "band-1"
    assert policy.size_class("municipality", 130_000) == "band-2"
    assert policy.size_class("region", None) == "region"
    assert policy.size_class("municipality", None) is None
    vb = shipped_catalog().cohort("vb-2027")
    rounds = buddy_rounds(vb)
    assert [r.number for r in rounds] == [1, 2, 3, 4]
    assert rounds[0].opens == date(2027, 1, 18) and rounds[0].module == "darfor"
    assert current_round(vb, date(2027, 4, 1)) == rounds[1]
    assert current_round(vb, date(2026, 12, 1)) == rounds[0]
    tf = shipped_catalog().cohort("tf-2027")  # no block: one round for the programme
    (only,) = buddy_rounds(tf)
    assert only.number == 1 and only.module is None


def test_who_is_left_out_of_a_round_and_why() -> None:
    from datetime import UTC, datetime

    from bot.domain.buddy_rounds import LeftOut, candidate, left_out_reason
    from bot.domain.people import Person, Role

    vb = shipped_catalog().cohort("vb-2027")
    first = buddy_rounds(vb)[0]  # 2027-01-18 to 2027-03-19
    person = Person(1, "Test Person", "vb-2027", "umea", frozenset({Role.PARTICIPANT}))

    def reason(p: Person = person, **flags: bool) -> LeftOut | None:
        given = {"opted_out": False, "joined": True, "unreachable": False} | flags
        return left_out_reason(p, vb, first, **given)

    assert reason() is None
    assert reason(opted_out=True) == LeftOut.OPTED_OUT
    assert reason(joined=False) == LeftOut.NOT_JOINED
    assert reason(unreachable=True) == LeftOut.UNREACHABLE
    through = datetime(2027, 3, 20, 0, 0, tzinfo=vb.tz)  # paused past the round's last day
    assert reason(replace(person, paused_until=through)) == LeftOut.PAUSED
    part = datetime(2027, 2, 1, tzinfo=UTC)  # back before the round ends: paired
    assert reason(replace(person, paused_until=part)) is None
    assert reason(replace(person, organisation=None)) == LeftOut.NO_ORGANISATION
    found = candidate(replace(person, locale="en"), vb)
    assert (found.organisation, found.group, found.locale) == ("umea", "grupp-1", "en")
    assert candidate(replace(person, organisation="region"), vb).size == "region"
