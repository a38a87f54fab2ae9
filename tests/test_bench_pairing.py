"""The pairing benchmark in its smoke size, so it never rots: the shape the bench runner
collects, no rule broken; the exact comparison runs where networkx is installed."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from bench.pairing import run


def test_the_pairing_benchmark_runs_small() -> None:
    result = run(smoke=True)
    assert result["name"] == "pairing"
    figures = result["figures"]
    assert figures["people"] == 1_000 and figures["rounds"] == 2
    assert figures["violations"] == 0 and figures["unmatched"] == 0
    assert len(figures["seconds_per_round"]) == 2
    names = [t["name"] for t in result["targets"]]
    assert "rule violations" in names
    for target in result["targets"]:
        assert set(target) == {"name", "value", "target", "pass"}
        assert isinstance(target["value"], float) and isinstance(target["pass"], bool)
    violations = next(t for t in result["targets"] if t["name"] == "rule violations")
    assert violations["pass"] is True
    if importlib.util.find_spec("networkx") is None:
        assert figures["exact"] == "skipped: networkx is not installed"
    else:
        exact = figures["exact"]
        assert exact["instances"] == 12
        assert 0.0 < exact["ratio_min"] <= exact["ratio_mean"] <= 1.0 + 1e-9
        quality = next(t for t in result["targets"] if t["name"].startswith("preference"))
        assert quality["pass"] is (exact["ratio_min"] >= 0.95)
        assert figures["exact_regional"]["instances"] == 12


def test_without_networkx_the_exact_part_is_skipped_and_said(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "networkx", None)  # import networkx now fails
    result = run(smoke=True)
    assert result["figures"]["exact"] == "skipped: networkx is not installed"
    assert [t["name"] for t in result["targets"]] == [
        "seconds per round (1,000 people)",
        "rule violations",
    ]
