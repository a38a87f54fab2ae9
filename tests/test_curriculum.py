"""`kompis check`: passes on the shipped data, fails with `file: path: message (fix)` on broken
copies."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bot.cli import app
from bot.curriculum.loader import load_catalog
from tests.helpers import ROOT

runner = CliRunner()


def run_check(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.setenv("KOMPIS_CONTENT_DIR", str(root / "content"))
    monkeypatch.setenv("KOMPIS_SCHEDULES_DIR", str(root / "schedules"))
    result = runner.invoke(app, ["check"])
    return result.exit_code, result.output


def test_shipped_data_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = run_check(ROOT, monkeypatch)
    assert code == 0, output
    assert "programme demo-intro: 1 modules, 3 stages, 3 reflection prompts" in output
    assert "all data files are valid" in output


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copytree(ROOT / "schedules", tmp_path / "schedules")
    return tmp_path


def edit_yaml(path: Path, change: Callable[[dict], None]) -> None:  # type: ignore[type-arg]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def schedule(root: Path) -> Path:
    return root / "schedules" / "demo.yaml"


def module_file(root: Path) -> Path:
    return root / "content" / "demo-intro" / "modules" / "kom-i-gang.yaml"


CASES = {
    "unknown module reference": (
        lambda r: edit_yaml(schedule(r), lambda d: d["modules"][0].update(module="ledelse")),
        "schedules/demo.yaml: modules.ledelse.module: unknown module reference 'ledelse' "
        "(use one of kom-i-gang)",
    ),
    "stage due before it opens": (
        lambda r: edit_yaml(
            schedule(r), lambda d: d["modules"][0]["stages"]["forarbeid"].update(due="2027-01-01")
        ),
        "schedules/demo.yaml: modules.kom-i-gang.stages.forarbeid.due: stage due before it opens "
        "(2027-01-01 < 2027-01-11) (set due on or after opens)",
    ),
    "missing translation": (
        lambda r: edit_yaml(module_file(r), lambda d: d["stages"][0]["title"].pop("nn")),
        "content/demo-intro/modules/kom-i-gang.yaml: stages.forarbeid.title: missing "
        "translation: no nn text (add 'nn: ...' under title)",
    ),
    "bad timezone": (
        lambda r: edit_yaml(schedule(r), lambda d: d.update(timezone="Europe/Tromso")),
        "schedules/demo.yaml: timezone: unknown timezone 'Europe/Tromso' (use a name like "
        "Europe/Oslo or Europe/Stockholm)",
    ),
    "unknown gathering group": (
        lambda r: edit_yaml(schedule(r), lambda d: d["organisations"][0].update(group="dag-9")),
        "schedules/demo.yaml: organisations.tromso.group: unknown gathering group 'dag-9'",
    ),
    "misspelt field": (
        lambda r: edit_yaml(schedule(r), lambda d: d.update(timezon="Europe/Oslo")),
        "schedules/demo.yaml: timezon: 'timezon' is not a field Kompis knows (did you mean "
        "'timezone'?)",
    ),
    "quiz answer out of range": (
        lambda r: edit_yaml(
            module_file(r),
            lambda d: d["stages"][2]["activities"].append(
                {
                    "id": "quiz",
                    "kind": "quiz",
                    "title": {k: "Quiz" for k in ("nb", "nn", "sv", "en")},
                    "questions": [
                        {
                            "id": "q1",
                            "text": {k: "?" for k in ("nb", "nn", "sv", "en")},
                            "options": [{k: o for k in ("nb", "nn", "sv", "en")} for o in "AB"],
                            "correct": 2,
                            "explanation": {k: "." for k in ("nb", "nn", "sv", "en")},
                        }
                    ],
                }
            ),
        ),
        "kom-i-gang.yaml: stages.etterarbeid.activities.quiz.questions.q1.correct: 2 is not an "
        "option index",
    ),
    "quiz option over Telegram's limit": (
        lambda r: edit_yaml(
            r / "content" / "kompetanseloft" / "modules" / "ledelse.yaml",
            lambda d: next(a for s in d["stages"] for a in s["activities"] if a["kind"] == "quiz")[
                "questions"
            ][0]["options"][1].update(sv="x" * 101),
        ),
        "options.1.sv: is 101 characters; the limit is 100 (shorten it)",
    ),
    "title too long for a button": (
        lambda r: edit_yaml(module_file(r), lambda d: d["stages"][0]["title"].update(nb="T" * 61)),
        "kom-i-gang.yaml: stages.forarbeid.title.nb: is 61 characters; the limit is 60 "
        "(shorten it)",
    ),
    "broken participants file": (
        lambda r: (r / "schedules" / "demo.participants.csv").write_text(
            "name;email;organisation\nOla;ola.example.org;oslo\n", encoding="utf-8"
        ),
        "schedules/demo.participants.csv: row 2.email: 'ola.example.org' is not an e-mail",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_broken_copy_fails_with_a_clear_message(
    case: str, data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    breaker, expected = CASES[case]
    breaker(data_copy)
    code, output = run_check(data_copy, monkeypatch)
    assert code == 1
    assert expected in output, output


def test_invalid_yaml_names_the_line(data_copy: Path) -> None:
    schedule(data_copy).write_text("id: demo\nmodules: [\n", encoding="utf-8")
    _, problems = load_catalog(data_copy / "content", data_copy / "schedules", root=data_copy)
    assert any(str(p).startswith("schedules/demo.yaml: line ") for p in problems)
