"""``kompis content import-quiz``: a spreadsheet of questions into a module's quiz.

The file is checked whole (its own rows, then the programme as it would be with the new
questions, through the same checks as ``kompis check``); the module file is written only if
nothing is wrong, in one atomic replace, and only its ``questions:`` block changes.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from bot.curriculum.loader import load_programme
from bot.curriculum.problems import DataError, Problem, display_path, errors
from bot.curriculum.quiz_csv import read_quiz_csv
from bot.curriculum.quiz_yaml import NotFound, with_questions
from bot.domain.programme import ActivityKind, Module, Programme, QuizQuestion


@dataclass(frozen=True)
class QuizImport:
    module_file: Path
    activity_ref: str
    added: list[str]
    replaced: list[str]
    removed: list[str]
    kept: list[str]
    written: bool


def import_quiz(
    content_dir: Path,
    programme_id: str,
    module_id: str,
    csv_file: Path,
    activity: str | None = None,
    replace_all: bool = False,
    dry_run: bool = False,
) -> QuizImport:
    """Raise DataError with every problem found; otherwise write (unless ``dry_run``)."""
    root = content_dir.parent
    programme, module, module_file = _module(content_dir, programme_id, module_id, root)
    stage_id, activity_id = _quiz(module, activity, display_path(module_file, root))
    csv_name = csv_file.name
    try:
        data = csv_file.read_bytes()
    except OSError as exc:
        raise DataError([Problem(csv_name, "", f"cannot read the file: {exc.strerror}")]) from exc
    sheet = read_quiz_csv(data, csv_name, list(programme.locales))
    if sheet.problems and not sheet.questions:
        raise DataError(sheet.problems)
    old = next(a for s in module.stages for a in s.activities if a.id == activity_id).questions
    merged, added, replaced_ids, removed, kept = _merge(old, sheet.questions, replace_all)
    text = module_file.read_text(encoding="utf-8")
    try:
        new_text = with_questions(
            text, stage_id, activity_id, merged, list(programme.locales), frozenset(kept)
        )
    except NotFound as exc:
        raise DataError([Problem(display_path(module_file, root), "", str(exc))]) from exc
    # The rows that passed are checked in place too, so every problem is reported at once.
    found = _check_result(content_dir / programme_id, module_file, new_text, sheet.rows, csv_name)
    if sheet.problems or found:
        raise DataError(sorted(sheet.problems + found, key=_row_order))
    if not dry_run:
        _write_atomically(module_file, new_text)
    return QuizImport(
        module_file,
        f"{module_id}/{stage_id}/{activity_id}",
        added,
        replaced_ids,
        removed,
        kept,
        not dry_run,
    )


def _module(
    content_dir: Path, programme_id: str, module_id: str, root: Path
) -> tuple[Programme, Module, Path]:
    folder = content_dir / programme_id
    if not (folder / "programme.yaml").is_file():
        known = sorted(p.name for p in content_dir.iterdir() if (p / "programme.yaml").is_file())
        raise DataError(
            [
                Problem(
                    display_path(content_dir, root),
                    "",
                    f"no programme {programme_id!r}",
                    f"use one of {', '.join(known) or 'none'}",
                )
            ]
        )
    programme, problems = load_programme(folder, root)
    if programme is None or errors(problems):
        raise DataError(errors(problems) or problems)
    module = next((m for m in programme.modules if m.id == module_id), None)
    module_file = folder / "modules" / f"{module_id}.yaml"
    if module is None or not module_file.is_file():
        where = display_path(folder / "programme.yaml", root)
        if module is None:
            ids = ", ".join(m.id for m in programme.modules)
            raise DataError([Problem(where, "modules", f"no module {module_id!r}", f"use {ids}")])
        raise DataError(
            [
                Problem(
                    where,
                    f"modules.{module_id}",
                    "is written inline in programme.yaml",
                    f"move it to {display_path(module_file, root)} to import questions into it",
                )
            ]
        )
    return programme, module, module_file


def _quiz(module: Module, activity: str | None, shown: str) -> tuple[str, str]:
    quizzes = [
        (stage.id, act.id)
        for stage in module.stages
        for act in stage.activities
        if act.kind == ActivityKind.QUIZ
    ]
    if activity:
        wanted = activity.split("/")[-2:]
        chosen = [q for q in quizzes if list(q[-len(wanted) :]) == wanted]
        if len(chosen) == 1:
            return chosen[0]
    elif len(quizzes) == 1:
        return quizzes[0]
    listed = ", ".join(f"{s}/{a}" for s, a in quizzes)
    if not quizzes:
        raise DataError(
            [Problem(shown, "", "has no quiz", "add an activity with kind: quiz to a stage")]
        )
    what = f"has no quiz {activity!r}" if activity else f"has several quizzes: {listed}"
    raise DataError([Problem(shown, "", what, f"choose one with --activity ({listed})")])


def _merge(
    old: list[QuizQuestion], new: list[QuizQuestion], replace_all: bool
) -> tuple[list[QuizQuestion], list[str], list[str], list[str], list[str]]:
    """Questions with an id already in the quiz replace it in place; new ids are added at the
    end; with ``replace_all`` the sheet becomes the whole quiz."""
    by_id = {q.id: q for q in new}
    old_ids = [q.id for q in old]
    if replace_all:
        merged = list(new)
        kept: list[str] = []
        removed = [i for i in old_ids if i not in by_id]
    else:
        merged = [by_id.get(q.id, q) for q in old] + [q for q in new if q.id not in old_ids]
        kept = [i for i in old_ids if i not in by_id]
        removed = []
    added = [q.id for q in new if q.id not in old_ids]
    replaced_ids = [q.id for q in new if q.id in old_ids]
    return merged, added, replaced_ids, removed, kept


_QUESTION_PATH = re.compile(r"questions\.([a-z0-9-]+)(?:\.(\w+))?(?:\.(\d+))?(?:\.([a-z]{2}))?")
_COLUMN = {"text": "question", "options": "options", "explanation": "explanation"}


def _check_result(
    folder: Path, module_file: Path, new_text: str, rows: dict[str, int], csv_name: str
) -> list[Problem]:
    """Load the programme as it would be, from a copy, and report its problems by row."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / folder.name
        shutil.copytree(folder, copy)
        (copy / "modules" / module_file.name).write_text(new_text, encoding="utf-8")
        programme, problems = load_programme(copy, Path(tmp))
    found = errors(problems) if programme is not None else problems
    return [_by_row(p, rows, csv_name, folder) for p in found]


def _row_order(problem: Problem) -> tuple[int, str]:
    match = re.match(r"row (\d+)", problem.path)
    return (int(match.group(1)) if match else 0, problem.path)


def _by_row(problem: Problem, rows: dict[str, int], csv_name: str, folder: Path) -> Problem:
    match = _QUESTION_PATH.search(problem.path)
    if match and match.group(1) in rows:
        field, _index, locale = match.group(2), match.group(3), match.group(4)
        column = _COLUMN.get(field or "", field or "")
        column = f"{column}_{locale}" if locale and column in _COLUMN.values() else column
        where = f"row {rows[match.group(1)]}" + (f".{column}" if column else "")
        return replace(problem, file=csv_name, path=where)
    return replace(problem, file=f"{folder.parent.name}/{problem.file}")


def _write_atomically(path: Path, text: str) -> None:
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
