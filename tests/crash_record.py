"""The crash workers: starting and killing them, and reading their record of what the
"platform" received and what was in flight."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import ROOT


@dataclass(frozen=True)
class Record:
    lines: list[tuple[int, int, str, str]]  # (pid, drain task, "begin" | "end", number)

    @classmethod
    def read(cls, path: Path) -> Record:
        if not path.exists():
            return cls([])
        found = []
        # A line cut by a kill has no newline: that write never completed.
        for line in path.read_text().split("\n")[:-1]:
            pid, task, what, number = line.split(" ")
            found.append((int(pid), int(task), what, number))
        return cls(found)

    def begun(self) -> Counter[str]:
        return Counter(n for _, _, what, n in self.lines if what == "begin")

    def ended(self) -> Counter[str]:
        return Counter(n for _, _, what, n in self.lines if what == "end")

    def ends(self) -> int:
        return sum(1 for _, _, what, _ in self.lines if what == "end")

    def in_flight(self, pid: int) -> set[str]:
        """What a killed process may have left between sending and settling: the last
        message each of its drains began (each drain sends one message at a time). One
        begun but not ended is certainly in flight; one ended may not have been settled."""
        last: dict[int, str] = {}
        for p, task, what, number in self.lines:
            if p == pid and what == "begin":
                last[task] = number
        return set(last.values())

    def duplicates(self) -> Counter[str]:
        """Messages begun more than once, and how many extra times."""
        return Counter({n: c - 1 for n, c in self.begun().items() if c > 1})


class Workers:
    """Crash workers forked by one zygote process (tests/crash_zygote.py)."""

    def __init__(self, zygote: asyncio.subprocess.Process) -> None:
        self.zygote = zygote
        self.reaped: set[int] = set()
        self.spawned: list[int] = []

    @classmethod
    async def start(cls) -> Workers:
        zygote = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.crash_zygote",
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        return cls(zygote)

    async def _ask(self, line: str) -> str:
        assert self.zygote.stdin and self.zygote.stdout
        self.zygote.stdin.write(f"{line}\n".encode())
        await self.zygote.stdin.drain()
        return (await self.zygote.stdout.readline()).decode().split()[1]

    async def spawn(self, args: list[str]) -> int:
        pid = int(await self._ask("spawn " + " ".join(args)))
        self.spawned.append(pid)
        return pid

    @staticmethod
    def running(pid: int) -> bool:
        """Alive and not a zombie waiting to be reaped."""
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            return False
        return stat.rsplit(")", 1)[1].split()[0] != "Z"

    @staticmethod
    def signal(pid: int, sig: int) -> None:
        os.kill(pid, sig)

    @staticmethod
    async def stopped(pid: int, within: float = 10.0) -> None:
        """Until a SIGSTOPped process has really stopped (kill() returns before the kernel
        stops a process running on another core, which may still begin a send)."""
        deadline = asyncio.get_running_loop().time() + within
        while _state(pid) not in "Tt":
            assert asyncio.get_running_loop().time() < deadline, f"{pid} did not stop"
            await asyncio.sleep(0.001)

    async def wait(self, pid: int) -> int:
        code = int(await self._ask(f"wait {pid}"))
        self.reaped.add(pid)
        return code

    async def close(self) -> None:
        """Kill and reap any worker a failed test left running, then end the zygote."""
        for pid in self.spawned:
            if pid not in self.reaped:
                if self.running(pid):
                    os.kill(pid, signal.SIGKILL)
                await self.wait(pid)
        assert self.zygote.stdin
        self.zygote.stdin.close()
        await self.zygote.wait()


def _state(pid: int) -> str:
    """The process state letter from /proc (R running, S sleeping, T stopped, Z zombie)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
