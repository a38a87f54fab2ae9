"""`kompis check` catches what organisers get wrong: dates on days off, gatherings outside
their module, reminders that never fire, addresses without a domain, languages a programme
lacks; names every field by id, reports every problem once, in organisers' words."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.curriculum.calendar_checks import check_calendar, day_off
from bot.curriculum.participant_checks import proper_email
from bot.domain.cohort import ReminderPolicy
from tests.helpers import ROOT, shipped_catalog
from tests.test_curriculum import edit_yaml, run_check

TF = Path("schedules") / "tf-2027.yaml"
VB = Path("schedules") / "vb-2027.yaml"
LEDELSE = Path("content") / "kompetanseloft" / "modules" / "ledelse.yaml"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copytree(ROOT / "schedules", tmp_path / "schedules")
    return tmp_path


def gathering(d: dict, module: str, group: str) -> dict:  # type: ignore[type-arg]
    sched = next(m for m in d["modules"] if m["module"] == module)
    return next(g for g in sched["gatherings"] if g["group"] == group)  # type: ignore[no-any-return]


def stages(d: dict, module: str) -> dict:  # type: ignore[type-arg]
    return next(m for m in d["modules"] if m["module"] == module)["stages"]  # type: ignore[no-any-return]


def test_shipped_data_has_no_errors_and_no_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = run_check(ROOT, monkeypatch)
    assert code == 0, output
    assert "warning" not in output and "note" not in output, output


def test_a_gathering_on_17_may_is_an_error(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edit_yaml(data / TF, lambda d: gathering(d, "ledelse", "dag-1").update(date="2027-05-17"))
    code, output = run_check(data, monkeypatch)
    assert code == 1
    assert (
        "schedules/tf-2027.yaml: modules.ledelse.gatherings.dag-1.date: 2027-05-17 is a public "
        "holiday (Constitution Day; Pentecost Monday) (choose a working day)"
    ) in output


def test_a_gathering_on_a_saturday_is_an_error(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edit_yaml(data / TF, lambda d: gathering(d, "organisasjon", "dag-2").update(date="2027-02-06"))
    code, output = run_check(data, monkeypatch)
    assert code == 1
    assert "modules.organisasjon.gatherings.dag-2.date: 2027-02-06 is a Saturday" in output


def test_christmas_and_midsummer_eve_are_named() -> None:
    assert day_off("NO", date(2028, 12, 25)) == "a public holiday (Christmas Day)"
    assert day_off("NO", date(2028, 12, 26)) == "a public holiday (Second Day of Christmas)"
    assert day_off("SE", date(2027, 6, 25)) == "a public holiday (Midsummer Eve)"
    assert day_off("NO", date(2027, 2, 9)) is None


def test_a_gathering_outside_its_module_is_an_error(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_yaml(data / TF, lambda d: gathering(d, "strategi", "dag-3").update(date="2026-09-16"))
    code, output = run_check(data, monkeypatch)
    assert code == 1
    assert (
        "modules.strategi.gatherings.dag-3.date: 2026-09-16 is outside module 'strategi', which "
        "runs from 2027-08-16 to 2027-10-15 (move the gathering into the module's dates, or "
        "check the year)"
    ) in output


def test_a_deadline_on_a_holiday_is_a_warning_only(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_yaml(data / TF, lambda d: stages(d, "ledelse")["etterarbeid"].update(due="2027-05-17"))
    code, output = run_check(data, monkeypatch)
    assert code == 0, output
    assert (
        "schedules/tf-2027.yaml: modules.ledelse.stages.etterarbeid.due: warning: 2027-05-17 is "
        "a public holiday"
    ) in output
    assert "all data files are valid, 1 warning(s)" in output


def test_no_deadline_warning_when_due_dates_move_to_working_days() -> None:
    class MovingPolicy(ReminderPolicy):  # the option the compose branch adds to reminders:
        due_on_working_day: bool = True

    cohort = shipped_catalog().cohort("tf-2027")
    sched = cohort.modules[1]
    moved = sched.model_copy(
        update={
            "stages": {
                **sched.stages,
                "etterarbeid": sched.stages["etterarbeid"].model_copy(
                    update={"due": date(2027, 5, 17)}
                ),
            }
        }
    )
    on_holiday = cohort.model_copy(update={"modules": [cohort.modules[0], moved]})
    assert [p.path for p in check_calendar(on_holiday, "f")] == [
        "modules.ledelse.stages.etterarbeid.due"
    ]
    moving = on_holiday.model_copy(update={"reminders": MovingPolicy()})
    assert check_calendar(moving, "f") == []


def test_a_reminder_longer_than_every_stage_is_an_error(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_yaml(data / TF, lambda d: d["reminders"].update(before_due_days=[400, 7, 1]))
    code, output = run_check(data, monkeypatch)
    assert code == 1
    assert (
        "schedules/tf-2027.yaml: reminders.before_due_days: 400 days before the deadline is "
        "before every stage opens (the longest, organisasjon/forarbeid, is 30 days), so this "
        "reminder is never sent (use a number below 30)"
    ) in output
    assert "7 days before" not in output


def test_an_email_without_a_proper_domain(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    csv = data / "schedules" / "demo.participants.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    csv.write_text(
        "\n".join([*lines, "Ola Test;ola@tromso;tromso;participant;nb"]) + "\n", encoding="utf-8"
    )
    code, output = run_check(data, monkeypatch)
    assert code == 1
    assert (
        f"schedules/demo.participants.csv: row {len(lines) + 1}.email: 'ola@tromso' has no "
        "proper domain after the @ ('tromso') (write the whole address, e.g. name@kommune.no)"
    ) in output


@pytest.mark.parametrize(
    ("address", "ok"),
    [
        ("kari@tromso.kommune.no", True),
        ("a.b@umea.example.org", True),
        ("kari@tromso", False),
        ("kari@tromso.n0", False),
        ("kari@.no", False),
        ("kari@-tromso.no", False),
        ("@tromso.no", False),
    ],
)
def test_proper_email(address: str, ok: bool) -> None:
    assert proper_email(address) is ok


def test_a_participant_locale_the_programme_lacks(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv = data / "schedules" / "vb-2027.participants.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    csv.write_text(
        "\n".join([*lines, "Siri Test;siri@umea.example.org;umea;participant;nn"]) + "\n",
        encoding="utf-8",
    )
    code, output = run_check(data, monkeypatch)
    assert code == 0, output
    assert (
        f"schedules/vb-2027.participants.csv: row {len(lines) + 1}.locale: warning: programme "
        "'digital-kompetens' has no 'nn' text, so Kompis will write to Siri Test in 'nb'"
    ) in output


def test_a_broken_programme_is_reported_once_not_in_every_schedule(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_yaml(data / LEDELSE, lambda d: d["stages"][0].update(kind="gathring"))
    code, output = run_check(data, monkeypatch)
    assert code == 1
    assert "unknown programme" not in output, output
    assert (
        "content/kompetanseloft/modules/ledelse.yaml: stages.forarbeid.kind: 'gathring' is not "
        "one of the choices (use one of 'pre_work', 'gathering',"
    ) in output
    assert (
        "content/kompetanseloft/programme.yaml: note: programme 'kompetanseloft' was skipped "
        "because of the problems above" in output
    )
    assert "schedules/tf-2027.yaml: programme: note: checked without programme" in output
    assert "kompis: 1 problem(s) found" in output


def test_every_problem_in_a_file_is_reported_in_plain_words(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def breaks(d: dict) -> None:  # type: ignore[type-arg]
        d.update(country="NOR", locale=7, timezon="Europe/Oslo")
        d["organisations"][0].update(id="Tromsø")
        stages(d, "ledelse")["forarbeid"].update(opens="30.03.2027")
        gathering(d, "teknologi", "dag-2").update(start="9 o'clock")
        d["reminders"].update(overdue_after_days=0)

    edit_yaml(data / TF, breaks)
    code, output = run_check(data, monkeypatch)
    assert code == 1
    expected = [
        "tf-2027.yaml: country: 'NOR' is not a country Kompis has holidays for (use NO for "
        'Norway or SE for Sweden, in quotes: "NO")',
        "tf-2027.yaml: locale: 7 should be text (put it in quotes)",
        "tf-2027.yaml: timezon: 'timezon' is not a field Kompis knows (did you mean 'timezone'?)",
        "tf-2027.yaml: organisations.Tromsø.id: 'Tromsø' cannot be used as an id (use lower-case",
        "tf-2027.yaml: modules.ledelse.stages.forarbeid.opens: '30.03.2027' is not a date "
        "(write the date as YYYY-MM-DD, e.g. 2027-02-09)",
        'tf-2027.yaml: modules.teknologi.gatherings.dag-2.start: "9 o\'clock" is not a time of '
        'day (write the time as HH:MM in quotes, e.g. "09:00")',
        "tf-2027.yaml: reminders.overdue_after_days: 0 is too small (use 1 or more)",
    ]
    for line in expected:
        assert line in output, output
    country = next(line for line in output.splitlines() if ": country:" in line)
    assert "lower-case" not in country  # a wrong country code does not get the slug hint
    for raw in ("Input should be", "Extra inputs are not permitted", "Value error"):
        assert raw not in output


def test_texts_of_a_schedule_need_every_language_of_the_programme(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_yaml(data / VB, lambda d: d["events"][0]["title"].pop("nb"))
    code, output = run_check(data, monkeypatch)
    event = shipped_catalog().cohort("vb-2027").events[0].id
    assert code == 1
    assert (
        f"schedules/vb-2027.yaml: events.{event}.title: missing translation: no nb text" in output
    )


def test_missing_text_in_a_lab_is_named_by_the_lab_id(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_yaml(
        data / "content" / "digital-kompetens" / "programme.yaml",
        lambda d: d["labs"][0]["task"].pop("nb"),
    )
    code, output = run_check(data, monkeypatch)
    assert code == 1
    assert (
        "content/digital-kompetens/programme.yaml: labs.informationshantering.task: missing "
        "translation: no nb text" in output
    )


def test_problems_in_programme_yaml_are_reported_beside_those_in_a_module(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_yaml(data / LEDELSE, lambda d: d.update(titel="Ledelse"))
    edit_yaml(
        data / "content" / "kompetanseloft" / "programme.yaml",
        lambda d: d.update(default_locale=["nb"]),
    )
    code, output = run_check(data, monkeypatch)
    assert code == 1
    assert (
        "ledelse.yaml: titel: 'titel' is not a field Kompis knows (did you mean 'title'?)" in output
    )
    assert "kompetanseloft/programme.yaml: default_locale: ['nb'] should be text" in output


def test_an_event_on_a_holiday_is_a_warning(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    event = shipped_catalog().cohort("tf-2027").events[0].id
    edit_yaml(data / TF, lambda d: d["events"][0].update(date="2027-05-17"))
    code, output = run_check(data, monkeypatch)
    assert code == 0, output
    assert f"tf-2027.yaml: events.{event}.date: warning: 2027-05-17 is a public holiday" in output


def test_files_kompis_would_not_read_are_named(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (data / "content" / "demo-intro" / "programme.yaml").rename(
        data / "content" / "demo-intro" / "programme.yml"
    )
    (data / "schedules" / "demo.yaml").rename(data / "schedules" / "demo.yml")
    code, output = run_check(data, monkeypatch)
    assert code == 0, output
    assert (
        "content/demo-intro: warning: has no programme.yaml, so it is not read (name the "
        "programme's main file programme.yaml)"
    ) in output
    assert (
        "schedules/demo.yml: warning: is not read: schedules end in .yaml (rename it to " in output
    )


def test_christmas_eve_is_named() -> None:
    assert day_off("NO", date(2027, 12, 24)) == "a public holiday (Christmas Eve)"
