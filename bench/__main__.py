"""``python -m bench [--only NAME ...] [--smoke] [--out DIR]``: run the benchmarks, print a
Markdown table, write ``bench-<time>.md`` and ``.json`` (and ``latest.*``) into DIR.

Every benchmark module exposes ``run(smoke: bool = False) -> dict`` (synchronous; each runs
its own event loop) returning ``{"name", "figures": {...}, "targets": [{"name", "value",
"target", "pass"}]}``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.report import machine, markdown

#: module names under ``bench``, in the order they run (pairing: the pairing helper's)
BENCHMARKS = [
    "telegram_broadcast",
    "slack_broadcast",
    "workers",
    "inbound",
    "planning",
    "pairing",
    "memory",
]


def load(name: str) -> Any | None:
    try:
        return importlib.import_module(f"bench.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"bench.{name}":
            return None  # not written (yet): the pairing benchmark comes with pairing
        raise


def run_one(name: str, smoke: bool) -> dict[str, Any] | None:
    module = load(name)
    if module is None:
        return None
    started = time.perf_counter()
    try:
        result: dict[str, Any] = module.run(smoke=smoke)
    except Exception as exc:  # one broken benchmark is a failed line, not a lost run
        traceback.print_exc()
        result = {
            "name": name,
            "figures": {"error": f"{type(exc).__name__}: {exc}"},
            "targets": [{"name": "ran", "value": 0, "target": "no error", "pass": False}],
        }
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", action="append", choices=BENCHMARKS, help="run only these")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds each")
    parser.add_argument("--out", type=Path, default=Path("bench/results"), help="where to write")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    results = []
    for name in args.only or BENCHMARKS:
        print(f"== {name}", file=sys.stderr, flush=True)
        found = run_one(name, args.smoke)
        if found is not None:
            results.append(found)
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "smoke": args.smoke,
        "machine": machine(),
        "benchmarks": results,
    }
    table = markdown(report)
    print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for stem in (f"bench-{stamp}", "latest"):
        (args.out / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n")
        (args.out / f"{stem}.md").write_text(table)
    failed = [t for r in results for t in r["targets"] if not t["pass"]]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
