"""Calendar files (.ics) for gatherings: one event with its timezone (VTIMEZONE), a stable
UID so a changed gathering updates the same calendar entry, and a SEQUENCE that grows with
every correction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar, Event

PRODID = "-//Kompis//Broadcasts//EN"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    sequence: int
    start: datetime  # aware, in the cohort's zone (a ZoneInfo)
    end: datetime
    summary: str
    location: str
    description: str
    stamp: datetime
    language: str


def gathering_uid(cohort_id: str, gathering: str) -> str:
    """The same UID for a gathering whatever broadcast or correction carries it."""
    return f"{cohort_id}.{gathering.replace('/', '.')}@kompis"


def to_ics(event: CalendarEvent) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = Event()
    entry.add("uid", event.uid)
    entry.add("sequence", event.sequence)
    entry.add("dtstamp", event.stamp)
    entry.add("dtstart", event.start)
    entry.add("dtend", event.end if event.end > event.start else event.start + timedelta(hours=1))
    entry.add("summary", event.summary, parameters={"LANGUAGE": event.language})
    entry.add("location", event.location, parameters={"LANGUAGE": event.language})
    entry.add("description", event.description, parameters={"LANGUAGE": event.language})
    calendar.add_component(entry)
    calendar.add_missing_timezones(
        first_date=event.start.date() - timedelta(days=366),
        last_date=event.end.date() + timedelta(days=366),
    )
    return bytes(calendar.to_ical())
