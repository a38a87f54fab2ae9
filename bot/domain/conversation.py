"""What a person's next message answers, when Kompis is waiting for one.

A person has at most one conversation state at a time: a reflection prompt waiting for its
answer, a short answer waiting to be confirmed, a self-assessment waiting for its number, and
later a quiz in progress, a message for a buddy, a broadcast being written. Setting a new one
replaces the old; the features that own a kind read, set and clear it through the store port.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Conversation:
    """``kind`` names the feature waiting (e.g. ``reflection``), ``data`` is that feature's
    JSON-ready state (e.g. the prompt's activity ref), ``since`` when it started waiting."""

    kind: str
    since: datetime
    data: dict[str, Any] = field(default_factory=dict)
