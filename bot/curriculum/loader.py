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

from bot.curriculum.problems import DataError, Problem, Severity, display_path, errors
from bot.curriculum.schedule_checks import check_cohort
from bot.curriculum.validate import check_programme
from bot.curriculum.wording import from_validation_error
from bot.domain.catalog import Catalog
from bot.domain.cohort import Cohort
from bot.domain.programme import Module, Programme
from bot.errors import ConfigError


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
    module_files: dict[str, str] = {}
    for entry in data.get("modules") or []:
        if isinstance(entry, str):
            module_file = folder / "modules" / f"{entry}.yaml"
            module_shown = display_path(module_file, root)
            if not module_file.exists():
                problems.append(
                    Problem(
                        shown,
                        f"modules.{entry}",
                        f"no file for module {entry!r}",
                        f"create {module_shown}",
                    )
                )
                continue
            module_data, module_problems = _read_yaml(module_file, module_shown)
            problems += module_problems
            if module_data is not None:
                try:
                    module = Module.model_validate(module_data)
                except ValidationError as exc:
                    problems += from_validation_error(module_shown, exc, module_data)
                else:
                    module_files[module.id] = module_shown
                    modules.append(module)
        else:
            modules.append(entry)
    if problems:  # still report what is wrong in programme.yaml itself
        try:
            Programme.model_validate({**data, "modules": []})
        except ValidationError as exc:
            problems += from_validation_error(shown, exc, data)
        return None, problems
    merged = {**data, "modules": modules}
    try:
        programme = Programme.model_validate(merged)
    except ValidationError as exc:
        raw = {**data, "modules": [_raw_module(m) for m in modules]}
        return None, from_validation_error(shown, exc, raw)
    return programme, [_in_module_file(p, module_files) for p in check_programme(programme, shown)]


def _raw_module(module: Any) -> Any:
    return module.model_dump(mode="json") if isinstance(module, Module) else module


def _in_module_file(problem: Problem, module_files: dict[str, str]) -> Problem:
    """Report a problem inside a module against that module's own file."""
    parts = problem.path.split(".", 2)
    if len(parts) >= 2 and parts[0] == "modules":
        shown = module_files.get(parts[1])
        if shown is not None:
            return replace(problem, file=shown, path=parts[2] if len(parts) == 3 else "")
    return problem


def load_cohort(
    path: Path,
    programmes: dict[str, Programme],
    root: Path | None = None,
    skipped: frozenset[str] = frozenset(),
) -> tuple[Cohort | None, list[Problem]]:
    shown = display_path(path, root)
    data, problems = _read_yaml(path, shown)
    if problems:
        return None, problems
    if not isinstance(data, dict):
        return None, [Problem(shown, "", "must be a mapping of schedule fields")]
    try:
        cohort = Cohort.model_validate(data)
    except ValidationError as exc:
        return None, from_validation_error(shown, exc, data)
    return cohort, check_cohort(cohort, programmes, shown, path.parent, skipped)


def _require_dir(folder: Path, setting: str, what: str) -> None:
    if not folder.is_dir():
        raise ConfigError(
            f"{what} folder {folder} does not exist; set {setting} to the folder that holds "
            f"them, or run Kompis from the project folder"
        )


def require_folders(content_dir: Path, schedules_dir: Path) -> None:
    """Raise ConfigError, naming the setting, when a data folder is missing."""
    _require_dir(content_dir, "KOMPIS_CONTENT_DIR", "the programmes")
    _require_dir(schedules_dir, "KOMPIS_SCHEDULES_DIR", "the schedules")


def check_catalog(
    content_dir: Path, schedules_dir: Path, root: Path | None = None
) -> tuple[Catalog, list[Problem]]:
    """Load everything and report errors, warnings and notes; the catalog holds only what
    loaded without errors. Raises ConfigError when a folder is missing."""
    require_folders(content_dir, schedules_dir)
    catalog = Catalog()
    problems: list[Problem] = []
    skipped: set[str] = set()
    for folder in sorted(p for p in content_dir.iterdir() if (p / "programme.yaml").exists()):
        programme, found = load_programme(folder, root)
        problems += found
        if programme is not None and not errors(found):
            catalog.programmes[programme.id] = programme
        else:
            skipped.add(_programme_id(folder))
            problems.append(
                Problem(
                    display_path(folder / "programme.yaml", root),
                    "",
                    f"programme {_programme_id(folder)!r} was skipped because of the "
                    "problems above; schedules that use it are checked without it",
                    severity=Severity.NOTE,
                )
            )
    problems += _stray_files(content_dir, schedules_dir, root)
    for path in sorted(schedules_dir.glob("*.yaml")):
        cohort, found = load_cohort(path, catalog.programmes, root, frozenset(skipped))
        problems += found
        if cohort is not None and not errors(found) and cohort.programme not in skipped:
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


def _stray_files(content_dir: Path, schedules_dir: Path, root: Path | None) -> list[Problem]:
    """Files Kompis would silently not read: a programme folder without programme.yaml, a
    schedule saved as .yml."""
    found = [
        Problem(
            display_path(folder, root),
            "",
            "has no programme.yaml, so it is not read",
            "name the programme's main file programme.yaml",
            Severity.WARNING,
        )
        for folder in sorted(content_dir.iterdir())
        if folder.is_dir()
        and not folder.name.startswith(".")
        and not (folder / "programme.yaml").exists()
    ]
    found += [
        Problem(
            display_path(path, root),
            "",
            "is not read: schedules end in .yaml",
            f"rename it to {path.stem}.yaml",
            Severity.WARNING,
        )
        for path in sorted(schedules_dir.glob("*.yml"))
    ]
    return found


def _programme_id(folder: Path) -> str:
    try:
        data = yaml.safe_load((folder / "programme.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return folder.name
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else folder.name


def load_catalog(
    content_dir: Path, schedules_dir: Path, root: Path | None = None
) -> tuple[Catalog, list[Problem]]:
    """Load everything; the catalog holds only what loaded cleanly; only errors returned."""
    catalog, problems = check_catalog(content_dir, schedules_dir, root)
    return catalog, errors(problems)


def load_catalog_or_raise(content_dir: Path, schedules_dir: Path) -> Catalog:
    catalog, problems = load_catalog(content_dir, schedules_dir, root=content_dir.parent)
    if problems:
        raise DataError(problems)
    return catalog
