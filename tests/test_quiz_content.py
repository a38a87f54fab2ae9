"""Quiz content: `kompis check` on multiple choice and options in every language, and
`kompis content import-quiz` from a spreadsheet (validated whole, written only if clean)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from bot.cli import app
from bot.curriculum.loader import load_catalog, load_programme
from bot.curriculum.quiz_csv import parse_correct, parse_quiz_csv
from tests.helpers import ROOT

runner = CliRunner()
LOCALES = ("nb", "nn", "sv", "en")
MODULE = Path("content/digital-kompetens/modules/darfor.yaml")


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copytree(ROOT / "schedules", tmp_path / "schedules")
    monkeypatch.setenv("KOMPIS_CONTENT_DIR", str(tmp_path / "content"))
    monkeypatch.setenv("KOMPIS_SCHEDULES_DIR", str(tmp_path / "schedules"))
    return tmp_path


def _quiz_questions(data: dict[str, object]) -> list[dict[str, object]]:
    stages = data["stages"]
    assert isinstance(stages, list)
    quiz = next(a for s in stages for a in s["activities"] if a["kind"] == "quiz")
    questions = quiz["questions"]
    assert isinstance(questions, list)
    return questions


def _edit_first_question(root: Path, change: dict[str, object]) -> None:
    path = root / MODULE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    _quiz_questions(data)[0].update(change)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _check(root: Path) -> str:
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 1, result.output
    return result.output


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"correct": [0, 0]}, "questions.q1.correct: lists option 0 twice"),
        ({"correct": []}, "questions.q1.correct: lists no right option"),
        ({"correct": [0, 5]}, "questions.q1.correct: 5 is not an option index"),
        ({"correct": [0, 1, 2]}, "questions.q1.correct: every option is right, so the question"),
    ],
)
def test_check_names_a_wrong_multiple_choice_answer(
    data_copy: Path, change: dict[str, object], expected: str
) -> None:
    _edit_first_question(data_copy, change)
    output = _check(data_copy)
    assert "darfor.yaml: stages.quiz.activities.quiz." + expected in output


def test_check_passes_a_multiple_choice_question(data_copy: Path) -> None:
    _edit_first_question(data_copy, {"correct": [0, 1]})
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    catalog, _ = load_catalog(data_copy / "content", data_copy / "schedules")
    module = next(m for m in catalog.programmes["digital-kompetens"].modules if m.id == "darfor")
    question = next(a for s in module.stages for a in s.activities if a.kind == "quiz").questions[0]
    assert question.multiple and question.right == frozenset({0, 1})


def test_check_wants_options_told_apart_in_every_language(data_copy: Path) -> None:
    path = data_copy / MODULE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    options = _quiz_questions(data)[0]["options"]
    assert isinstance(options, list)
    options[2]["nb"] = options[1]["nb"].upper()  # the same words, only in capitals
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    output = _check(data_copy)
    assert "questions.q1.options.2.nb: is the same as option 1 in nb (word each option" in output


# --- import-quiz ---------------------------------------------------------------------------

HEADER = "id;question_sv;question_nb;question_en;options_sv;options_nb;options_en;correct;" + (
    "explanation_sv;explanation_nb;explanation_en"
)


def _row(qid: str, correct: str = "2", options_sv: str = "Ja | Nej | Kanske") -> str:
    return ";".join(
        [
            qid,
            f"Fråga {qid}?",
            f"Spørsmål {qid}?",
            f"Question {qid}?",
            options_sv,
            "Ja | Nei | Kanskje",
            "Yes | No | Maybe",
            correct,
            "Därför.",
            "Derfor.",
            "Because.",
        ]
    )


def _import(root: Path, csv_text: str, *extra: str, encoding: str = "utf-8") -> tuple[int, str]:
    sheet = root / "quiz.csv"
    sheet.write_bytes(csv_text.encode(encoding))
    result = runner.invoke(
        app,
        [
            "content",
            "import-quiz",
            str(sheet),
            "--programme",
            "digital-kompetens",
            "--module",
            "darfor",
            *extra,
        ],
    )
    return result.exit_code, result.output


def test_a_clean_file_adds_and_updates_questions_and_keeps_the_rest_of_the_file(
    data_copy: Path,
) -> None:
    path = data_copy / MODULE
    before = path.read_text(encoding="utf-8")
    code, output = _import(data_copy, "\n".join([HEADER, _row("q1", "3"), _row("ny-1", "1+2")]))
    assert code == 0, output
    assert "added: 1 (ny-1)" in output and "updated: 1 (q1)" in output
    after = path.read_text(encoding="utf-8")
    # only the questions block changed: every line before it is as it was
    head = before.split("        questions:")[0]
    assert after.startswith(head)
    # a question not in the file keeps its lines exactly, quotes and all
    q2 = before.split("          - id: q2\n")[1].split("          - id: q3\n")[0]
    assert "          - id: q2\n" + q2 + "          - id: q3\n" in after
    programme, problems = load_programme(data_copy / "content" / "digital-kompetens")
    assert programme is not None and not [p for p in problems if p.is_error], problems
    module = next(m for m in programme.modules if m.id == "darfor")
    questions = next(a for s in module.stages for a in s.activities if a.kind == "quiz").questions
    by_id = {q.id: q for q in questions}
    assert by_id["q1"].correct == 2 and by_id["q1"].options[2]["sv"] == "Kanske"
    assert by_id["ny-1"].right == frozenset({0, 1}) and by_id["ny-1"].multiple
    assert (
        questions[-1].id == "ny-1"
        and len(questions) == len(_quiz_questions(yaml.safe_load(before))) + 1
    )
    assert runner.invoke(app, ["check"]).exit_code == 0


def test_an_excel_file_with_bom_semicolons_and_windows_1252_is_read(data_copy: Path) -> None:
    text = "\r\n".join([HEADER, _row("q1", "B"), ""])
    code, output = _import(data_copy, "\ufeff" + text, "--dry-run")
    assert code == 0, output
    assert "would change darfor.yaml" in output
    code, output = _import(data_copy, text, encoding="cp1252")
    assert code == 0, output


def test_comma_separated_numbered_option_columns_and_replace(data_copy: Path) -> None:
    header = "id,question_sv,question_nb,question_en,option1_sv,option2_sv,option1_nb,option2_nb,"
    header += "option1_en,option2_en,correct,explanation_sv,explanation_nb,explanation_en"
    row = (
        'solo,"Är det, kort sagt, bra?",Er det bra?,Is it good?,Ja,Nej,Ja,Nei,Yes,No,A,Ja.,Ja.,Yes.'
    )
    code, output = _import(data_copy, f"{header}\n{row}\n", "--replace")
    assert code == 0, output
    assert "removed: 7" in output
    data = yaml.safe_load((data_copy / MODULE).read_text(encoding="utf-8"))
    questions = _quiz_questions(data)
    assert [q["id"] for q in questions] == ["solo"]
    assert questions[0]["text"]["sv"] == "Är det, kort sagt, bra?" and questions[0]["correct"] == 0


def test_a_file_with_bad_rows_writes_nothing_and_names_every_problem(data_copy: Path) -> None:
    path = data_copy / MODULE
    before = path.read_bytes()
    rows = [
        HEADER,
        _row("q1"),
        _row("Bad id!"),
        _row("q3", correct="7"),
        _row("q4", options_sv="Ja | Nej"),
        _row("q5", options_sv="Ja | " + "x" * 101 + " | Kanske"),
        _row("q1"),
    ]
    code, output = _import(data_copy, "\n".join(rows))
    assert code == 1
    assert path.read_bytes() == before
    assert "quiz.csv: row 3.id: 'Bad id!' is not a usable id" in output
    assert (
        "quiz.csv: row 4.correct: '7' is not an option (write the number of the right option"
        in output
    )
    assert "quiz.csv: row 5.options_nb: has 3 options but sv has 2" in output
    assert "quiz.csv: row 6.options_sv: is 101 characters; the limit is 100" in output
    assert "quiz.csv: row 7.id: 'q1' is also on row 2" in output
    assert "quiz.csv: row 5.options_en: has 3 options but sv has 2" in output
    assert "nothing was written: 6 problem(s)" in output
    assert "Traceback" not in output


def test_a_bad_header_is_named_with_a_suggestion(data_copy: Path) -> None:
    header = HEADER.replace("question_en", "qestion_en").replace("explanation_sv", "explanation_fi")
    code, output = _import(data_copy, header + "\n" + _row("q1"))
    assert code == 1
    assert (
        "quiz.csv: row 1.qestion_en: is not a column Kompis knows (did you mean 'question_en'?)"
        in output
    )
    assert "quiz.csv: row 1.explanation_fi: 'fi' is not a language here" in output
    assert "quiz.csv: row 1: has no explanation_sv column (add explanation_sv)" in output


def test_unknown_programme_module_or_a_module_without_a_quiz(data_copy: Path) -> None:
    sheet = data_copy / "quiz.csv"
    sheet.write_text(HEADER + "\n" + _row("q1"), encoding="utf-8")
    base = ["content", "import-quiz", str(sheet)]
    result = runner.invoke(app, [*base, "--programme", "nope", "--module", "darfor"])
    assert result.exit_code == 1 and "no programme 'nope' (use one of" in result.output
    result = runner.invoke(app, [*base, "--programme", "digital-kompetens", "--module", "x"])
    assert "programme.yaml: modules: no module 'x' (use darfor" in result.output
    result = runner.invoke(app, [*base, "--programme", "demo-intro", "--module", "kom-i-gang"])
    assert "kom-i-gang.yaml: has no quiz (add an activity with kind: quiz" in result.output


def test_parse_keeps_every_language_and_multiple_choice() -> None:
    sheet = parse_quiz_csv("\n".join([HEADER, _row("a", "1 + 3")]), "q.csv", ["sv", "nb", "en"])
    assert not sheet.problems
    (question,) = sheet.questions
    assert question.correct == [0, 2] and question.options[1] == {
        "sv": "Nej",
        "nb": "Nei",
        "en": "No",
    }


@given(st.lists(st.integers(min_value=1, max_value=10), min_size=1, max_size=4), st.booleans())
def test_parse_correct_reads_numbers_and_letters_alike(picks: list[int], letters: bool) -> None:
    cell = " + ".join(chr(ord("A") + p - 1) if letters else str(p) for p in picks)
    assert parse_correct(cell, 10) == [p - 1 for p in picks]
    assert parse_correct(cell, max(picks) - 1) is None
