"""The machine a run was measured on, and the Markdown table of a run."""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from typing import Any

from bench.common import postgres_available

LIBRARIES = [
    "python-telegram-bot",
    "slack-sdk",
    "slack-bolt",
    "SQLAlchemy",
    "sqlmodel",
    "APScheduler",
    "psycopg",
    "aiolimiter",
    "httpx",
    "aiohttp",
    "uvicorn",
    "starlette",
]


def _memory_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return 0


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _postgres_version() -> str:
    if not postgres_available():
        return "not available"
    import psycopg

    from bench.common import _admin_dsn

    with psycopg.connect(_admin_dsn()) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


def machine() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gb": round(_memory_bytes() / 2**30, 1),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "sqlite": __import__("sqlite3").sqlite_version,
        "postgresql": _postgres_version(),
        "libraries": {name: _version(name) for name in LIBRARIES},
    }


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        f"# Kompis benchmarks, {report['when']}{' (smoke sizes)' if report['smoke'] else ''}",
        "",
        f"Machine: {m['cores']} cores, {m['memory_gb']} GB, {m['platform']}; Python "
        f"{m['python']}, SQLite {m['sqlite']}, PostgreSQL {m['postgresql']}; "
        + ", ".join(f"{k} {v}" for k, v in m["libraries"].items()),
        "",
        "| benchmark | target | value | goal | pass |",
        "|---|---|---|---|---|",
    ]
    for result in report["benchmarks"]:
        for t in result["targets"]:
            mark = "pass" if t["pass"] else "**FAIL**"
            lines.append(
                f"| {result['name']} | {t['name']} | {_cell(t['value'])} | {t['target']} | {mark} |"
            )
    lines.append("")
    for result in report["benchmarks"]:
        lines.append(f"## {result['name']} ({result.get('seconds', '?')} s)")
        lines.append("")
        lines.extend(_figures(result["figures"]))
        lines.append("")
    return "\n".join(lines) + "\n"


def _figures(figures: dict[str, Any], prefix: str = "") -> list[str]:
    """Nested figures flattened to ``a / b / c: value`` lines."""
    out = []
    for key, value in figures.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.extend(_figures(value, f"{name} / "))
        else:
            out.append(f"- {name}: {_cell(value)}")
    return out
