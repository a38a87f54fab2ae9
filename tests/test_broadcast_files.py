"""What organisers give `kompis broadcast`: message files, targets and times, each bad one
refused in one line with exit code 2 and nothing written; and the .ics it makes, which
parses with icalendar and keeps the local time of the gathering across a DST change."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar
from typer.testing import CliRunner

from bot.cli import app
from bot.domain.broadcast import (
    BroadcastError,
    BroadcastMessage,
    format_targets,
    parse_message,
    parse_targets,
    recipients,
)
from bot.domain.broadcast_records import Broadcast
from bot.domain.people import Person, Role
from bot.features.broadcasts_compose import calendar_file
from bot.rendering.broadcast_text import render_texts
from tests.helpers import ROOT, shipped_catalog

GOOD = 'text:\n  nb: "Samling {date} kl. {time} på {place}"\n'


def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str, message: str = GOOD):
    monkeypatch.setenv("KOMPIS_DATABASE_URL", f"sqlite:///{tmp_path / 'k.db'}")
    (tmp_path / "m.yaml").write_text(message, encoding="utf-8")
    base = ["broadcast", "--cohort", "demo", "--message", str(tmp_path / "m.yaml")]
    return CliRunner().invoke(app, [*base, *args])


@pytest.mark.parametrize(
    ("message", "args", "said"),
    [
        ("text: [unclosed\n", ("--to", "all"), "not valid YAML at line"),
        ("txt: {nb: hei}\n", ("--to", "all"), "m.yaml: txt: unknown field"),
        ("text: {de: Hallo}\n", ("--to", "all"), "m.yaml: text.de: unknown locale"),
        ('text: {nb: "Kl. {klokka}"}\n', ("--to", "all"), "{klokka} is not a variable"),
        ('text: {nb: "På {place}"}\n', ("--to", "all"), "{place} has no value"),
        ("text: {nb: hei}\ndate: 9. mars\n", ("--to", "all"), "m.yaml: date: '9. mars'"),
        (GOOD, ("--to", "org:oslo", "--ics", "kom-i-gang/dag-1"), "no org 'oslo' in demo"),
        (GOOD, ("--to", "kommune:alta"), "not a target (use all, group:G"),
        (GOOD, ("--to", "all,"), "an empty target"),
        (GOOD, ("--to", "all", "--ics", "kom-i-gang/dag-9"), "no such gathering"),
        (GOOD, ("--to", "all", "--ics", "x", "--at", "i morgen"), "--at 'i morgen': not a"),
        (GOOD, ("--to", "all", "--ics", "kom-i-gang/dag-1", "--at", "2020-01-01T09:00"), "past"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, message: str, args: tuple[str, ...], said: str
) -> None:
    result = run(tmp_path, monkeypatch, *args, message=message)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("kompis: ") and said in lines[0], lines
    assert "Traceback" not in result.output
    assert not (tmp_path / "k.db").exists()  # nothing written, not even a database


def test_status_of_an_unknown_broadcast(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOMPIS_DATABASE_URL", f"sqlite:///{tmp_path / 'k.db'}")
    for args in (["status", "9"], ["cancel", "9"], ["correct", "9", "--message", "nope.yaml"]):
        result = CliRunner().invoke(app, ["broadcast", *args])
        assert result.exit_code == 2 and "kompis:" in result.output, result.output


def test_a_dry_run_with_nobody_imported_shows_zero_and_writes_no_broadcast(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(tmp_path, monkeypatch, "--to", "all", "--ics", "kom-i-gang/dag-1", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "0 recipient(s); nothing is sent" in result.output
    listed = CliRunner().invoke(app, ["broadcast", "list", "--cohort", "demo"])
    assert listed.exit_code == 0 and "kom-i-gang/dag-1" not in listed.output


def test_variables_are_written_in_each_readers_language() -> None:
    message = parse_message(
        {
            "text": {"nb": "Samling {date} kl. {time}", "sv": "Träff {date} kl. {time}"},
            "date": "2027-03-09",
            "time": "09:30",
        },
        "m.yaml",
    )
    texts = render_texts(message)
    assert texts["nb"] == "Samling tirsdag 9. mars 2027 kl. 09:30"
    assert texts["sv"] == "Träff tisdag 9 mars 2027 kl. 09:30"
    assert texts["nn"].startswith("Samling tysdag 9. mars 2027")  # nb text, nynorsk date
    assert texts["en"] == "Samling Tuesday, 9 March 2027 kl. 09:30"  # en falls back to nb


def _broadcast(day: date, sequence: int) -> Broadcast:
    message = BroadcastMessage({"nb": "Samling"}, {"date": day, "place": {"nb": "Rådhuset"}})
    return Broadcast(
        1, "demo", "all", message.to_json(), "scheduled", datetime.now(UTC), datetime.now(UTC),
        True, "kom-i-gang/dag-1", None, False, 1, sequence, "cli", None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("day", "offset"),
    [(date(2027, 3, 26), timedelta(hours=1)), (date(2027, 3, 29), timedelta(hours=2))],
)
def test_the_ics_keeps_local_time_across_a_dst_change(day: date, offset: timedelta) -> None:
    catalog = shipped_catalog()
    attachment = calendar_file(
        catalog, _broadcast(day, 3), "nn", {"nn": "Tekst"}, datetime.now(UTC)
    )
    assert attachment.media_type == "text/calendar"
    calendar = Calendar.from_ical(base64.b64decode(attachment.content))
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Oslo"
    (event,) = calendar.walk("VEVENT")
    start = event.decoded("DTSTART")
    assert start.tzinfo is not None and start.utcoffset() == offset
    assert start.astimezone(ZoneInfo("Europe/Oslo")).time() == time(9, 0)
    assert start.date() == day
    assert event.decoded("DTEND").astimezone(ZoneInfo("Europe/Oslo")).time() == time(15, 0)
    assert str(event["LOCATION"]) == "Rådhuset" and str(event["DESCRIPTION"]) == "Tekst"
    assert event["LOCATION"].params["LANGUAGE"] == "nn"
    assert str(event["UID"]) == "demo.kom-i-gang.dag-1@kompis" and int(event["SEQUENCE"]) == 3


COHORT = shipped_catalog().cohort("demo")
PEOPLE = [
    Person(n, f"P{n}", "demo", org.id, frozenset(roles))
    for n, (org, roles) in enumerate(
        (o, r)
        for o in COHORT.organisations
        for r in ({Role.PARTICIPANT}, {Role.PARTICIPANT, Role.COORDINATOR}, {Role.ORGANISER})
    )
]
TERMS = st.sampled_from(
    ["all"]
    + [f"group:{g.id}" for g in COHORT.gathering_groups]
    + [f"org:{o.id}" for o in COHORT.organisations]
    + [f"role:{r.value}" for r in Role]
)
SELECTORS = st.lists(st.lists(TERMS, min_size=1, max_size=3).map("+".join), min_size=1, max_size=4)


@given(SELECTORS)
def test_targets_combine_and_each_person_gets_one_copy(chunks: list[str]) -> None:
    text = ",".join(chunks).replace("all+", "").replace("+all", "")
    try:
        selectors = parse_targets(text, COHORT)
    except BroadcastError:
        assert "all" in text  # "all" narrowed by "+" is not a target
        return
    assert parse_targets(format_targets(selectors), COHORT) == selectors
    groups = {o.id: o.group for o in COHORT.organisations}
    chosen = recipients(PEOPLE, selectors, groups)
    assert len({p.id for p in chosen}) == len(chosen)
    for selector in selectors:  # anyone one selector matches is in
        alone = recipients(PEOPLE, [selector], groups)
        assert {p.id for p in alone} <= {p.id for p in chosen}


def test_send_list_status_cancel_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOMPIS_DATABASE_URL", f"sqlite:///{tmp_path / 'k.db'}")
    csv = str(ROOT / "schedules" / "demo.participants.csv")
    assert (
        CliRunner().invoke(app, ["participants", "import", csv, "--cohort", "demo"]).exit_code == 0
    )
    later = (datetime.now(UTC) + timedelta(days=3)).astimezone(COHORT.tz)
    sent = run(
        tmp_path, monkeypatch, "--to", "role:coordinator", "--rsvp",
        "--ics", "kom-i-gang/dag-2", "--at", later.strftime("%Y-%m-%dT%H:%M"),
    )  # fmt: skip
    assert sent.exit_code == 0, sent.output
    assert "broadcast 1: 4 recipient(s), 4 unreachable, sending at" in sent.output
    listed = CliRunner().invoke(app, ["broadcast", "list", "--cohort", "demo"])
    assert "role:coordinator" in listed.output and "kom-i-gang/dag-2" in listed.output
    status = CliRunner().invoke(app, ["broadcast", "status", "1"])
    assert status.exit_code == 0, status.output
    assert "Kiruna kommun" in status.output and "not answered:" in status.output
    cancelled = CliRunner().invoke(app, ["broadcast", "cancel", "1"])
    assert "broadcast 1 cancelled: 8 copies not sent" in cancelled.output  # 4 texts, 4 files
    again = CliRunner().invoke(app, ["broadcast", "cancel", "1"])
    assert again.exit_code == 2 and "already cancelled" in again.output
    listed = CliRunner().invoke(app, ["broadcast", "list", "--cohort", "demo"])
    assert "cancelled" in listed.output
