"""Broadcasts as stored: the broadcast, its recipients, and what the outbox did with them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Broadcast:
    id: int
    cohort_id: str
    targets: str
    message: dict[str, Any]  # BroadcastMessage.to_json()
    state: str
    send_at: datetime
    created_at: datetime
    rsvp: bool
    gathering: str | None
    answers_until: datetime | None
    respect_quiet_hours: bool
    version: int
    ics_sequence: int
    source: str
    sender_id: int | None


@dataclass(frozen=True)
class Recipient:
    broadcast_id: int
    person_id: int
    message_key: str
    ics_key: str | None
    answer: str | None


@dataclass(frozen=True)
class Delivery:
    """The outbox row of one recipient's copy: its status and the platform it went (or was
    meant to go) out on."""

    status: str
    platform: str | None


def first_key(broadcast_id: int, person_id: int) -> str:
    """The outbox key of a recipient's copy as first sent (the delivery report follows it)."""
    return f"broadcast:{broadcast_id}:{person_id}"


def ics_key(broadcast_id: int, person_id: int, version: int) -> str:
    return f"broadcast:{broadcast_id}:{person_id}:ics:{version}"
