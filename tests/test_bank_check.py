"""`kompis check` knows the schedule's ``bank_default``: who may read a new answer until its
author chooses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.domain.people import Visibility
from tests.helpers import ROOT, shipped_catalog
from tests.test_curriculum import edit_yaml, run_check


def test_the_default_is_my_buddy() -> None:
    assert shipped_catalog().cohort("demo").bank_default == Visibility.BUDDY


def test_an_unknown_bank_default_is_named_with_the_choices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copytree(ROOT / "schedules", tmp_path / "schedules")
    edit_yaml(tmp_path / "schedules" / "demo.yaml", lambda d: d.update(bank_default="everyone"))
    code, output = run_check(tmp_path, monkeypatch)
    assert code == 1
    line = next(line for line in output.splitlines() if "bank_default" in line)
    assert line.startswith("schedules/demo.yaml: bank_default")
    for choice in ("private", "buddy", "cohort", "anonymous"):
        assert choice in line
