"""Quiz questions from a spreadsheet (CSV), validated whole before anything is written.

One row per question. Columns (``<lc>`` is a language code of the programme: nb, nn, sv, en):

- ``id`` — the question's id (a short slug: ``q1``, ``skatt-2``);
- ``question_<lc>`` — the question in that language;
- the options, either in one cell per language, separated by ``|`` (``options_<lc>``:
  ``Ja | Nei | Kanskje``), or in one column per option (``option1_<lc>``, ``option2_<lc>`` ...);
- ``correct`` — the right option, counted from 1 as people count (``2``) or as a letter
  (``B``); several (``1+3``, ``A, C``) make the question multiple choice;
- ``explanation_<lc>`` — why the right answer is right.

Excel in Norway and Sweden writes semicolons and a byte-order mark; commas and plain UTF-8 are
read too. Every problem is reported by row and column (``row 4.options_sv``), all at once.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from bot.curriculum.participants import ENCODINGS
from bot.curriculum.problems import Problem
from bot.domain.programme import SLUG, QuizQuestion

_OPTION_COLUMN = re.compile(r"^option(\d{1,2})_([a-z]{2})$")
_FIELD_COLUMN = re.compile(r"^(question|options|explanation)_([a-z]{2})$")
_SEPARATOR = "|"


@dataclass(frozen=True)
class QuizFile:
    """The questions of the rows that passed, the row each came from, and the problems of the
    rows that did not (an import writes only when there are none)."""

    questions: list[QuizQuestion] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # question id -> row number
    problems: list[Problem] = field(default_factory=list)


def read_quiz_csv(data: bytes, name: str, locales: list[str]) -> QuizFile:
    for codec, _label in ENCODINGS:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        return parse_quiz_csv(text, name, locales)
    return QuizFile(
        problems=[
            Problem(
                name,
                "",
                "cannot read the file: it is neither UTF-8 nor Windows-1252 text",
                'in Excel choose "Save as", then "CSV UTF-8 (comma delimited)"',
            )
        ]
    )


def parse_quiz_csv(text: str, name: str, locales: list[str]) -> QuizFile:
    text = text.removeprefix("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [cell.strip() for cell in next(reader, [])]
    problems = _header_problems([h.lower() for h in header], header, name, locales)
    if problems:
        return QuizFile(problems=problems)  # rows cannot be read without their columns
    columns = [h.lower() for h in header]
    questions: list[QuizQuestion] = []
    rows: dict[str, int] = {}
    for number, cells in enumerate(reader, start=2):
        record = {c: v.strip() for c, v in zip(columns, cells, strict=False) if c}
        if not any(record.values()):
            continue
        question, row_problems = _row(record, number, name, locales)
        problems += row_problems
        if question is None:
            continue
        if question.id in rows:
            problems.append(
                Problem(
                    name,
                    f"row {number}.id",
                    f"{question.id!r} is also on row {rows[question.id]}",
                    "give each question its own id",
                )
            )
            continue
        rows[question.id] = number
        questions.append(question)
    if not problems and not questions:
        problems.append(Problem(name, "", "has no questions", "add one row per question"))
    return QuizFile(questions, rows, problems)


def _header_problems(
    columns: list[str], shown: list[str], name: str, locales: list[str]
) -> list[Problem]:
    problems: list[Problem] = []
    known = {"id", "correct"} | {
        f"{part}_{lc}" for part in ("question", "options", "explanation") for lc in locales
    }
    for column, original in zip(columns, shown, strict=True):
        option = _OPTION_COLUMN.match(column)
        matched = option or _FIELD_COLUMN.match(column)
        language = matched.group(2) if matched else None
        if column in known or (option and language in locales):
            continue
        if language is not None:
            fix = f"the programme is written in {', '.join(locales)}"
            problems.append(
                Problem(name, f"row 1.{original}", f"{language!r} is not a language here", fix)
            )
            continue
        guess = difflib.get_close_matches(column, sorted(known), n=1)
        fix = f"did you mean {guess[0]!r}?" if guess else "remove the column or rename it"
        problems.append(Problem(name, f"row 1.{original}", "is not a column Kompis knows", fix))
    for needed in ["id", "correct"] + [
        f"{p}_{lc}" for p in ("question", "explanation") for lc in locales
    ]:
        if needed not in columns:
            problems.append(Problem(name, "row 1", f"has no {needed} column", f"add {needed}"))
    for lc in locales:
        if f"options_{lc}" not in columns and not any(
            (m := _OPTION_COLUMN.match(c)) and m.group(2) == lc for c in columns
        ):
            problems.append(
                Problem(
                    name,
                    "row 1",
                    f"has no options for {lc}",
                    f"add options_{lc} (options separated by |) or option1_{lc}, option2_{lc} ...",
                )
            )
    return problems


def _options(record: dict[str, str], lc: str) -> tuple[list[str], str]:
    """The options in language ``lc`` and the column they were read from (for messages)."""
    joined = record.get(f"options_{lc}", "")
    if joined:
        return [part.strip() for part in joined.split(_SEPARATOR)], f"options_{lc}"
    numbered = sorted(
        (int(m.group(1)), value)
        for column, value in record.items()
        if (m := _OPTION_COLUMN.match(column)) and m.group(2) == lc
    )
    values = [value for _, value in numbered]
    while values and not values[-1]:
        values.pop()  # a question with fewer options than the sheet has columns
    return values, f"option1_{lc}"


def parse_correct(cell: str, count: int) -> list[int] | None:
    """``2`` -> [1]; ``B`` -> [1]; ``1+3`` / ``A, C`` -> [0, 2]; None if unreadable."""
    parts = [part for part in re.split(r"[\s,+&/]+", cell.strip()) if part]
    if not parts:
        return None
    indexes: list[int] = []
    for part in parts:
        if part.isdigit():
            indexes.append(int(part) - 1)
        elif len(part) == 1 and part.isalpha() and part.isascii():
            indexes.append(ord(part.upper()) - ord("A"))
        else:
            return None
    return indexes if all(0 <= index < count for index in indexes) else None


def _row(
    record: dict[str, str], number: int, name: str, locales: list[str]
) -> tuple[QuizQuestion | None, list[Problem]]:
    problems: list[Problem] = []

    def bad(column: str, message: str, fix: str) -> None:
        problems.append(Problem(name, f"row {number}.{column}", message, fix))

    question_id = record.get("id", "")
    if not re.match(SLUG, question_id):
        bad("id", f"{question_id!r} is not a usable id", "use lower-case letters, digits and -")
    options: dict[str, list[str]] = {}
    for lc in locales:
        if not record.get(f"question_{lc}"):
            bad(f"question_{lc}", "is empty", f"write the question in {lc}")
        if not record.get(f"explanation_{lc}"):
            bad(f"explanation_{lc}", "is empty", f"explain the right answer in {lc}")
        values, column = _options(record, lc)
        options[lc] = values
        for position, value in enumerate(values, start=1):
            if not value:
                bad(column, f"option {position} is empty", f"write option {position} in {lc}")
    counts = {lc: len(values) for lc, values in options.items()}
    first = locales[0]
    for lc in locales[1:]:
        if counts[lc] != counts[first]:
            bad(
                _options(record, lc)[1],
                f"has {counts[lc]} options but {first} has {counts[first]}",
                "give the same options in every language, in the same order",
            )
    right = parse_correct(record.get("correct", ""), counts[first])
    if right is None:
        bad(
            "correct",
            f"{record.get('correct', '')!r} is not an option",
            f"write the number of the right option, 1 to {counts[first]}, or its letter; "
            "join several with + for multiple choice",
        )
    if problems:
        return None, problems
    assert right is not None
    data: dict[str, Any] = {
        "id": question_id,
        "text": {lc: record[f"question_{lc}"] for lc in locales},
        "options": [{lc: options[lc][i] for lc in locales} for i in range(counts[first])],
        "correct": right if len(right) > 1 else right[0],
        "explanation": {lc: record[f"explanation_{lc}"] for lc in locales},
    }
    try:
        return QuizQuestion.model_validate(data), []
    except ValidationError as exc:  # the checks above cover the model's own rules
        return None, [Problem(name, f"row {number}", str(exc.errors()[0]["msg"]), "")]
