"""Every benchmark of ``bench/`` at smoke size, so none rots: it runs, returns the shape the
runner expects, and what must hold on any machine holds (nothing lost or sent twice, the
scheduler's job count); speed targets are only judged by the full run (``python -m bench``)
on a quiet machine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench import __main__ as runner
from bench.common import postgres_available
from bench.report import markdown


def shape(result: dict[str, Any], name: str) -> dict[str, bool]:
    assert result["name"] == name
    assert "error" not in result["figures"], result["figures"]
    assert result["targets"], "a benchmark without targets"
    for t in result["targets"]:
        assert set(t) == {"name", "value", "target", "pass"}
    json.dumps(result)  # the runner writes it as JSON
    return {t["name"]: t["pass"] for t in result["targets"]}


def passed(targets: dict[str, bool], word: str) -> None:
    chosen = {name: ok for name, ok in targets.items() if word in name}
    assert chosen, f"no target about {word!r}: {sorted(targets)}"
    assert all(chosen.values()), chosen


@pytest.mark.slow
def test_telegram_broadcast() -> None:
    from bench import telegram_broadcast

    result = telegram_broadcast.run(smoke=True)
    targets = shape(result, "telegram_broadcast")
    passed(targets, ": lost")
    passed(targets, ": duplicated")
    assert any("real 30/s" in name for name in targets)  # the short run at the real rate
    client = result["figures"]["http_client"]
    assert client["kompis_aiohttp_cpu_ms_per_send"] > 0 and client["ptb_httpx_cpu_ms_per_send"] > 0


@pytest.mark.slow
def test_slack_broadcast() -> None:
    from bench import slack_broadcast

    targets = shape(slack_broadcast.run(smoke=True), "slack_broadcast")
    passed(targets, "lost")
    passed(targets, "duplicated")


@pytest.mark.slow
@pytest.mark.postgres
def test_workers_share_one_budget() -> None:
    if not postgres_available():
        pytest.skip("no PostgreSQL")
    from bench import workers

    targets = shape(workers.run(smoke=True), "workers")
    passed(targets, "busiest second")  # never above the one budget
    passed(targets, "lost")
    passed(targets, "duplicated")


@pytest.mark.slow
def test_inbound() -> None:
    from bench import inbound

    result = inbound.run(smoke=True)
    shape(result, "inbound")
    figures = result["figures"]
    assert figures["kompis_webhook_sqlite"]["failed"] == 0
    assert figures["kompis_polling_sqlite"]["updates"] == 20


@pytest.mark.slow
def test_planning_jobs_do_not_grow_with_people() -> None:
    from bench import planning

    targets = shape(planning.run(smoke=True), "planning")
    passed(targets, "scheduler jobs")


@pytest.mark.slow
def test_memory() -> None:
    from bench import memory

    targets = shape(memory.run(smoke=True), "memory")
    passed(targets, "in flight")


class Tiny:
    """A benchmark module as the runner sees one (the real ones run above)."""

    @staticmethod
    def run(smoke: bool = False) -> dict[str, Any]:
        passes = {"name": "smoke", "value": int(smoke), "target": "1", "pass": smoke}
        return {"name": "tiny", "figures": {"smoke": smoke}, "targets": [passes]}


def test_the_runner_writes_markdown_and_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table with pass and FAIL, the JSON with the machine; a benchmark not written yet
    (the pairing one comes with pairing) is left out."""
    assert runner.load("no_such_benchmark") is None
    report = {
        "when": "2026-12-01T20:00:00+00:00",
        "smoke": True,
        "machine": {
            "cores": 2,
            "memory_gb": 1.0,
            "platform": "Linux",
            "python": "3.11",
            "sqlite": "3",
            "postgresql": "15",
            "libraries": {"python-telegram-bot": "22"},
        },
        "benchmarks": [
            {
                "name": "example",
                "seconds": 0.1,
                "figures": {"kompis": {"per_s": 290.0}, "peer": {"per_s": 100.0}},
                "targets": [
                    {"name": "rate", "value": 0.97, "target": ">= 0.95", "pass": True},
                    {"name": "lost", "value": 2, "target": "0", "pass": False},
                ],
            }
        ],
    }
    table = markdown(report)
    assert "| example | rate | 0.97 | >= 0.95 | pass |" in table
    assert "| example | lost | 2 | 0 | **FAIL** |" in table
    assert "- kompis / per_s: 290" in table
    monkeypatch.setattr(runner, "load", lambda name: Tiny if name == "planning" else None)
    code = runner.main(
        ["--only", "planning", "--only", "pairing", "--smoke", "--out", str(tmp_path)]
    )
    written = json.loads((tmp_path / "latest.json").read_text())
    assert [b["name"] for b in written["benchmarks"]] == ["tiny"]
    assert written["benchmarks"][0]["figures"] == {"smoke": True}
    assert written["machine"]["cores"] >= 1
    assert (tmp_path / "latest.md").read_text().startswith("# Kompis benchmarks")
    assert code == 0
    monkeypatch.setattr(Tiny, "run", staticmethod(lambda smoke=False: 1 / 0))
    assert runner.main(["--only", "planning", "--out", str(tmp_path)]) == 1  # a failed line
