"""Starts crash workers quickly: this process imports Kompis once, then forks a fresh worker
per ``spawn ARGS...`` line on standard input (answering ``pid N``), and reaps one per
``wait N`` line (answering ``exit CODE``). Each child builds the whole composition and
starts it as `kompis run` does (tests/crash_worker.py); only the imports are shared, which
saves about two seconds per restart on a busy machine.
"""

from __future__ import annotations

import os
import sys
import traceback

import tests.crash_worker as worker


def serve() -> None:
    for line in sys.stdin:
        command, *args = line.split()
        if command == "spawn":
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    sys.stdin.close()
                    worker.run(args)
                except BaseException:
                    traceback.print_exc()
                    code = 1
                finally:
                    os._exit(code)
            print(f"pid {pid}", flush=True)
        elif command == "wait":
            try:
                _, status = os.waitpid(int(args[0]), 0)
                code = os.waitstatus_to_exitcode(status)
            except ChildProcessError:  # reaped already (a test gave up waiting for it)
                code = -1
            print(f"exit {code}", flush=True)


if __name__ == "__main__":
    serve()
