"""The buddy relay as the features see it: a copy of a buddy message in someone's chat, a
copy that could not be delivered, a check-in and its answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

#: the longest buddy message Kompis passes on (longer ones are split by platform, not cut)
MAX_MESSAGE = 4000

#: check-in answers, as stored and as the buttons carry them
CHECKIN_ANSWERS = ("yes", "not_yet", "no_time", "new_buddy")


@dataclass(frozen=True)
class RelayedCopy:
    """A copy of a buddy message in one person's chat (what a reply answers)."""

    message_id: int
    thread_id: int  # the thread's first message (the message itself when it starts one)
    pair_id: int
    sender_id: int


@dataclass(frozen=True)
class Undelivered:
    delivery_id: int
    pair_id: int
    sender_id: int
    recipient_id: int


@dataclass(frozen=True)
class Checkin:
    id: int
    pair_id: int
    person_id: int
    stage_ref: str
    asked_at: datetime
    answer: str | None
