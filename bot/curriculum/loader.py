"""Read `content/` and `schedules/` into a Catalog, collecting every problem on the way.

Layout:
  content/<programme>/programme.yaml   the programme; ``modules:`` lists module ids, each read
  content/<programme>/modules/<id>.yaml   from here (or written inline as a mapping)
  schedules/<cohort>.yaml               a cohort; ``participants:`` may name a CSV beside it
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.curriculum.problems import DataError, Problem, display_path, from_validation_error
from bot.curriculum.validate import check_cohort, check_programme
from bot.domain.catalog import Catalog
from bot.domain.cohort import Cohort
from bot.domain.programme import Module, Programme


def _read_yaml(path: Path, shown: str) -> tuple[Any, list[Problem]]:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")), []
    except OSError as exc:
        return None, [Problem(shown, "", f"cannot read the file: {exc.strerror}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        return None, [
            Problem(
                shown,
                where,
                f"is not valid YAML: {getattr(exc, 'problem', exc)}",
                "check indentation and quotes",
            )
        ]


def load_programme(
    folder: Path, root: Path | None = None
) -> tuple[Programme | None, list[Problem]]:
    main = folder / "programme.yaml"
    shown = display_path(main, root)
    data, problems = _read_yaml(main, shown)
    if problems:
        return None, problems
    if not isinstance(data, dict):
        return None, [Problem(shown, "", "must be a mapping of programme fields")]
    modules: list[Any] = []
    module_files: dict[int, str] = {}
    for index, entry in enumerate(data.get("modules") or []):
        if isinstance(entry, str):
            module_file = folder / "modules" / f"{entry}.yaml"
            module_shown = display_path(module_file, root)
            if not module_file.exists():
                problems.append(
                    Problem(
                        shown,
                        f"modules.{index}",
                        f"no file for module {entry!r}",
                        f"create {module_shown}",
                    )
                )
                continue
            module_data, module_problems = _read_yaml(module_file, module_shown)
            problems += module_problems
            if module_data is not None:
                try:
                    module_files[len(modules)] = module_shown
                    modules.append(Module.model_validate(module_data))
                except ValidationError as exc:
                    problems += from_validation_error(module_shown, exc)
        else:
            modules.append(entry)
    if problems:
        return None, problems
    try:
        programme = Programme.model_validate({**data, "modules": modules})
    except ValidationError as exc:
        return None, from_validation_error(shown, exc)
    return programme, [_in_module_file(p, module_files) for p in check_programme(programme, shown)]


def _in_module_file(problem: Problem, module_files: dict[int, str]) -> Problem:
    """Report a problem inside module N against that module's own file."""
    parts = problem.path.split(".", 2)
    if len(parts) >= 2 and parts[0] == "modules" and parts[1].isdigit():
        shown = module_files.get(int(parts[1]))
        if shown is not None:
            return replace(problem, file=shown, path=parts[2] if len(parts) == 3 else "")
    return problem


def load_cohort(
    path: Path, programmes: dict[str, Programme], root: Path | None = None
) -> tuple[Cohort | None, list[Problem]]:
    shown = display_path(path, root)
    data, problems = _read_yaml(path, shown)
    if problems:
        return None, problems
    try:
        cohort = Cohort.model_validate(data)
    except ValidationError as exc:
        return None, from_validation_error(shown, exc)
    return cohort, check_cohort(cohort, programmes, shown, path.parent)


def load_catalog(
    content_dir: Path, schedules_dir: Path, root: Path | None = None
) -> tuple[Catalog, list[Problem]]:
    """Load everything; the catalog holds only what loaded cleanly."""
    catalog = Catalog()
    problems: list[Problem] = []
    for folder in sorted(p for p in content_dir.iterdir() if (p / "programme.yaml").exists()):
        programme, found = load_programme(folder, root)
        problems += found
        if programme is not None and not found:
            catalog.programmes[programme.id] = programme
    for path in sorted(schedules_dir.glob("*.yaml")):
        cohort, found = load_cohort(path, catalog.programmes, root)
        problems += found
        if cohort is not None and not found:
            if cohort.id in catalog.cohorts:
                problems.append(
                    Problem(
                        display_path(path, root),
                        "id",
                        f"cohort id {cohort.id!r} is used twice",
                        "give each cohort its own id",
                    )
                )
            catalog.cohorts[cohort.id] = cohort
    return catalog, problems


def load_catalog_or_raise(content_dir: Path, schedules_dir: Path) -> Catalog:
    catalog, problems = load_catalog(content_dir, schedules_dir, root=content_dir.parent)
    if problems:
        raise DataError(problems)
    return catalog
