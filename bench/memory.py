"""Memory: peak RSS (the kernel's high-water mark, ``VmHWM``) of ``kompis run`` as its own
process with 10,000 people loaded, the scheduler ticking and a broadcast to all of them in
flight through the fake Bot API; and of ``kompis demo`` running a short script.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import add_people, opened, target
from bot.domain.messages import Outgoing
from bot.storage.repo import unit
from tests.fake_telegram import TOKEN
from tests.fake_telegram_limits import LimitedTelegram

ROOT = Path(__file__).resolve().parent.parent
KOMPIS = [sys.executable, "-m", "bot"]
DEMO_SCRIPT = "status\n/clock +1d\nsvar\nVi prøvde noe nytt.\nstatus\n/clock +7d\nstatus\n"


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run_with_broadcast(people: int, watch: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="kompis-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'k.db'}"
        async with opened(url) as db:
            ids = await add_people(db, people)
            async with unit(db) as store:
                await store.enqueue(
                    [Outgoing(p, "help", {"name": "Leader"}, key=f"mem:{p}") for p in ids],
                    datetime.now(UTC),
                )
        async with LimitedTelegram(per_second=300, chat_per_second=1.0) as fake:
            env = {
                **os.environ,
                "KOMPIS_DATABASE_URL": url,
                "KOMPIS_TELEGRAM_TOKEN": TOKEN,
                "KOMPIS_TELEGRAM_API_URL": fake.api_url,
                "KOMPIS_TELEGRAM_PER_SECOND": "300",
                "KOMPIS_HTTP_PORT": "0",
                "KOMPIS_TICK_SECONDS": "1",
            }
            child = subprocess.Popen(  # noqa: ASYNC220 (starting it does not block)
                [*KOMPIS, "run"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            try:
                peak, started, first = 0.0, time.monotonic(), None
                while child.poll() is None and time.monotonic() - started < 120:
                    await asyncio.sleep(0.25)
                    peak = max(peak, peak_rss_mb(child.pid))
                    if first is None and fake.received():
                        first = time.monotonic()  # the broadcast is under way: watch it
                    if first is not None and time.monotonic() - first > watch:
                        break
                in_flight = 0 < fake.received() < people
                sent = fake.received()
                peak = max(peak, peak_rss_mb(child.pid)) if child.poll() is None else peak
            finally:
                child.send_signal(signal.SIGTERM)
                try:  # the fake must go on answering while the child stops
                    await asyncio.to_thread(child.wait, 30)
                except subprocess.TimeoutExpired:
                    child.kill()
                    await asyncio.to_thread(child.wait, 30)
                err = child.stderr.read().decode()[-800:] if child.stderr else ""
                if child.stderr:
                    child.stderr.close()
            if child.returncode not in (0, -signal.SIGTERM):
                raise RuntimeError(f"kompis run exited {child.returncode}: {err}")
    return {"peak_rss_mb": round(peak, 1), "sent_while_watched": sent, "in_flight": in_flight}


def demo_peak() -> float:
    with tempfile.TemporaryDirectory(prefix="kompis-bench-") as folder:
        child = subprocess.Popen(
            [*KOMPIS, "demo", "--script", "-", "--db", str(Path(folder) / "d.db")],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert child.stdin is not None
        child.stdin.write(DEMO_SCRIPT.encode())
        child.stdin.close()
        peak = 0.0
        while child.poll() is None:
            try:
                peak = max(peak, peak_rss_mb(child.pid))
            except (FileNotFoundError, ProcessLookupError):
                break
            time.sleep(0.05)
        child.wait(60)
    return round(peak, 1)


def run(smoke: bool = False) -> dict[str, Any]:
    people, watch = (200, 3.0) if smoke else (10_000, 12.0)
    running = asyncio.run(run_with_broadcast(people, watch))
    demo = demo_peak()
    figures = {
        f"kompis run, {people} people, broadcast in flight": running,
        "kompis demo peak_rss_mb": demo,
    }
    return {
        "name": "memory",
        "figures": figures,
        "targets": [
            target(
                "kompis run peak RSS (MB)",
                running["peak_rss_mb"],
                "< 200",
                running["peak_rss_mb"] < 200,
            ),
            target(
                "kompis run had the broadcast in flight",
                running["sent_while_watched"],
                "> 0 sent",
                running["sent_while_watched"] > 0,
            ),
            target("kompis demo peak RSS (MB)", demo, "< 200", demo < 200),
        ],
    }
