"""``kompis content``: work on the programme files (import a quiz from a spreadsheet)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.curriculum.problems import DataError
from bot.settings import load_settings

content_app = typer.Typer(help="Work on the programme files in content/.", no_args_is_help=True)


@content_app.command("import-quiz")
def import_quiz_command(
    csv_file: Annotated[Path, typer.Argument(help="CSV: id; question_<lc>; options_<lc>; ...")],
    programme: Annotated[str, typer.Option("--programme", help="The programme id")],
    module: Annotated[str, typer.Option("--module", help="The module id")],
    activity: Annotated[
        str | None,
        typer.Option("--activity", help="stage/activity of the quiz, if the module has several"),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="The file becomes the whole quiz (default: add/update)"),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check the file and say what would change")
    ] = False,
) -> None:
    """Read quiz questions from a spreadsheet into a module's quiz. The whole file is checked
    first (every problem by row and column); the module file changes only if all rows pass."""
    from bot.curriculum.quiz_import import import_quiz

    settings = load_settings()
    try:
        result = import_quiz(
            settings.content_dir, programme, module, csv_file, activity, replace, dry_run
        )
    except DataError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        typer.echo(
            f"nothing was written: {len(exc.problems)} problem(s); fix them and run the import "
            "again",
            err=True,
        )
        raise typer.Exit(1) from exc
    verb = "would change" if not result.written else "changed"
    typer.echo(f"{verb} {result.module_file.name}: quiz {result.activity_ref}")
    for label, ids in (
        ("added", result.added),
        ("updated", result.replaced),
        ("removed", result.removed),
        ("kept as they were", result.kept),
    ):
        if ids:
            typer.echo(f"  {label}: {len(ids)} ({', '.join(ids)})")
    if result.written:
        typer.echo("run `kompis check` to see the whole programme validated")
