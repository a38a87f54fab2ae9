"""`kompis check` on the schedule model organisers need: dates per gathering group, events
for a group or several organisations, organisation names per language, the round and
leadership-team scope, each problem as ``file: path.field: problem (fix)``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.domain.cohort import organisation_name
from tests.helpers import ROOT, shipped_catalog
from tests.test_check import LEDELSE, TF, stages
from tests.test_curriculum import edit_yaml, run_check


@pytest.fixture
def data(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copytree(ROOT / "schedules", tmp_path / "schedules")
    return tmp_path


def _due(d: dict, module: str) -> dict:  # type: ignore[type-arg]
    return stages(d, module)["forarbeid"]["due"]  # type: ignore[no-any-return]


def test_an_unknown_group_in_due_is_an_error(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edit_yaml(data / TF, lambda d: _due(d, "ledelse").update({"dag-9": "2027-04-26"}))
    code, output = run_check(data, monkeypatch)
    assert code == 1
    assert (
        "schedules/tf-2027.yaml: modules.ledelse.stages.forarbeid.due.dag-9: unknown gathering "
        "group 'dag-9' (use one of dag-1, dag-2, dag-3)"
    ) in output


def test_a_group_without_a_date_is_an_error(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edit_yaml(data / TF, lambda d: _due(d, "ledelse").pop("dag-2"))
    code, output = run_check(data, monkeypatch)
    assert code == 1
    assert (
        "schedules/tf-2027.yaml: modules.ledelse.stages.forarbeid.due: gathering group 'dag-2' "
        "has no date (add 'dag-2: YYYY-MM-DD', or give one date for every group)"
    ) in output


def test_a_group_due_before_the_stage_opens_is_an_error(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_yaml(data / TF, lambda d: _due(d, "ledelse").update({"dag-3": "2027-03-01"}))
    code, output = run_check(data, monkeypatch)
    assert code == 1
    assert (
        "modules.ledelse.stages.forarbeid.due.dag-3: due before the stage opens "
        "(2027-03-01 < 2027-03-30) (set it on or after opens)"
    ) in output


def test_pre_work_due_after_the_groups_gathering_is_a_warning(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_yaml(data / TF, lambda d: _due(d, "ledelse").update({"dag-1": "2027-04-28"}))
    code, output = run_check(data, monkeypatch)
    assert code == 0, output
    assert (
        "modules.ledelse.stages.forarbeid.due.dag-1: warning: pre-work due on or after the "
        "group's gathering (2027-04-27) (set it before the gathering day)"
    ) in output


def test_an_event_for_an_unknown_group_or_organisation_is_an_error(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def edit(d: dict) -> None:  # type: ignore[type-arg]
        events = {e["id"]: e for e in d["events"]}
        events["koord-finnmark-reise"]["audience"]["group"] = "finnmark"
        events["samisk-tjenester"]["audience"]["organisations"] = ["karasjok", "kautokeno"]

    edit_yaml(data / TF, edit)
    code, output = run_check(data, monkeypatch)
    assert code == 1
    assert (
        "events.koord-finnmark-reise.audience.group: unknown gathering group 'finnmark' "
        "(use one of dag-1, dag-2, dag-3)"
    ) in output
    assert "events.samisk-tjenester.audience.organisations: unknown organisation 'kautokeno'" in (
        output
    )


def test_a_name_in_an_unsupported_locale_is_an_error(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def edit(d: dict) -> None:  # type: ignore[type-arg]
        org = next(o for o in d["organisations"] if o["id"] == "tromso")
        org["names"]["sme"] = "Romssa suohkan"

    edit_yaml(data / TF, edit)
    code, output = run_check(data, monkeypatch)
    assert code == 1
    assert (
        "schedules/tf-2027.yaml: organisations.tromso.names.sme: names are not shown in locale "
        "'sme' (use one of nb, nn, sv, en, se, smj, sma, fkv, fit, fi)"
    ) in output


def test_a_round_missing_a_language_is_an_error(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_yaml(data / TF, lambda d: d["round"].pop("sv"))
    code, output = run_check(data, monkeypatch)
    assert code == 1
    assert "schedules/tf-2027.yaml: round: missing translation: no sv text" in output


def test_team_scope_on_a_reflection_is_an_error(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def edit(d: dict) -> None:  # type: ignore[type-arg]
        stage = next(s for s in d["stages"] if s["id"] == "forarbeid")
        reflection = next(a for a in stage["activities"] if a["kind"] == "reflection")
        reflection["scope"] = "team"

    edit_yaml(data / LEDELSE, edit)
    code, output = run_check(data, monkeypatch)
    assert code == 1
    assert (
        "scope: a reflection is done by each person, not by a team (use scope: team only on "
        "ambition, group_task)"
    ) in output


def test_organisation_names_per_locale_fall_back_to_the_name() -> None:
    cohort = shipped_catalog().cohort("tf-2027")
    tromso, kautokeino = cohort.organisation("tromso"), cohort.organisation("kautokeino")
    alta = cohort.organisation("alta")
    assert tromso is not None and kautokeino is not None and alta is not None
    assert organisation_name(tromso, "se") == "Romssa suohkan"
    assert organisation_name(kautokeino, "se") == "Guovdageainnu suohkan"
    # nb, and the locales without a name of their own, show the name
    assert organisation_name(tromso, "nb") == "Tromsø kommune"
    assert organisation_name(tromso, "sv") == "Tromsø kommune"
    assert organisation_name(alta, "se") == "Alta kommune"
    nb_named = tromso.model_copy(update={"names": {"nb": "Tromsø", "se": "Romsa"}})
    assert organisation_name(nb_named, "nn") == "Tromsø"  # nynorsk borrows bokmål's


def test_a_due_date_per_group_must_name_a_group() -> None:
    from pydantic import ValidationError

    from bot.domain.cohort import StageDates

    with pytest.raises(ValidationError, match="due per group names no group"):
        StageDates.model_validate({"opens": "2027-01-11", "due": {}})
    dates = StageDates.model_validate(
        {"opens": "2027-01-11", "due": {"dag-1": "2027-02-08", "dag-2": "2027-02-09"}}
    )
    assert str(dates.due) == "2027-02-09"
    assert str(dates.for_group("dag-1").due) == "2027-02-08"
    assert dates.for_group("dag-7") is dates


def test_a_group_day_that_is_not_a_date_is_an_error(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_yaml(data / TF, lambda d: _due(d, "ledelse").update({"dag-1": "mandag"}))
    code, output = run_check(data, monkeypatch)
    assert code == 1
    assert "modules.ledelse.stages.forarbeid" in output
    assert "due for dag-1: 'mandag' is not a date; write YYYY-MM-DD" in output
