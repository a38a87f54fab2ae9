"""The heap of a long-running bot: what startup builds lives as long as the process.

Python's cyclic garbage collector walks every tracked object in a full collection. In a
running bot most of them are the loaded catalog (thousands of schedule and programme
models), SQLAlchemy's mappers and cached statements and the platform clients, all alive
until exit; a plan moment for thousands of people allocates enough to set off collections
that walked them again and again (about half of a year's planning time for 5,000 people).
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Once startup is done: collect what startup left over, then freeze the rest
    (``gc.freeze``) so later collections pass over it. Frozen objects are still freed by
    reference counting when let go; only a reference cycle among them would stay, and
    they are the process's long-lived state."""
    gc.collect()
    gc.freeze()
