"""A chosen lab may have its own dates inside the cohort's lab window (``labs.dates``): its
reminders, status and the schedule preview follow them; a lab without dates keeps the
window's. ``kompis check`` names a bad lab date by the lab's id."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.domain.catalog import Catalog
from bot.domain.cohort import StageDates
from bot.domain.people import Person, Role
from bot.domain.planner import occasions
from bot.features.fanout import Audience
from bot.features.forecast import preview
from tests.helpers import ROOT, Harness, shipped_catalog
from tests.reminder_support import record
from tests.test_curriculum import edit_yaml, run_check

ERIK = "erik.nystrom"
VB = Path("schedules") / "vb-2027.yaml"
#: the task titles of the two labs Erik chooses (Swedish, the cohort's language)
VIDEO = "Gör ett kort videobrev"
PHISHING = "Känn igen ett nätfiskemejl"
#: videobrev's own dates inside the window (1 February to 26 November 2027)
OWN = StageDates(opens=date(2027, 3, 1), due=date(2027, 4, 16))


def _catalog() -> Catalog:
    """vb-2027 with its own dates for the video lab only."""
    base = shipped_catalog()
    cohort = base.cohort("vb-2027")
    assert cohort.labs is not None
    labs = cohort.labs.model_copy(update={"dates": {"videobrev": OWN}})
    return Catalog(
        programmes=dict(base.programmes),
        cohorts={"vb-2027": cohort.model_copy(update={"labs": labs})},
    )


async def test_a_lab_with_own_dates_is_reminded_on_them_and_others_on_the_window(
    database_url: str,
) -> None:
    h = Harness(database_url, cohort="vb-2027", catalog=_catalog())
    await h.start()
    try:
        await h.say(ERIK, action="lab_pick:videobrev")
        await h.say(ERIK, action="lab_pick:natfiske")
        rec = record(h)
        await h.advance(timedelta(days=100))  # to the end of April
        days = {
            lab: [r.at.date() for r in rec.of(ERIK) if title in r.text]
            for lab, title in (("video", VIDEO), ("phishing", PHISHING))
        }
        await h.say(ERIK, "status mer")
        status = h.last(ERIK)
    finally:
        await h.stop()
    # its opening, three days before its deadline, the deadline, two days after (a Sunday:
    # the Monday); nothing on the window's days (it opens 1 February, checks in 15 March)
    assert days["video"] == [
        date(2027, 3, 1),
        date(2027, 4, 13),
        date(2027, 4, 16),
        date(2027, 4, 19),
    ]
    # the lab without dates keeps the window: it opens in February, then a check-in every
    # six weeks
    assert days["phishing"] == [date(2027, 2, 1), date(2027, 3, 15), date(2027, 4, 26)]
    # status says each lab's own deadline
    blocks = [b.splitlines() for b in status.split("\n\n")]
    video = next(b for b in blocks if b[0].startswith(VIDEO))
    assert video[1] == "Sista dag: 16 april 2027 (sista dagen har varit)"
    assert all(VIDEO in line for line in video[2:])
    window = next(b for b in blocks if b[0].startswith("Lärlabb"))
    assert window[1:] == [
        "Sista dag: 26 november 2027",
        f"- {PHISHING} (uppgift): inte gjort än",
        f"- {PHISHING} (reflektion): inte gjort än",
    ]


def test_the_preview_and_the_planner_show_a_lab_on_its_own_dates() -> None:
    catalog = _catalog()
    cohort, programme = catalog.cohort("vb-2027"), catalog.programme_of("vb-2027")
    lab = [o for o in occasions(programme, cohort) if o.module == "labs" and o.stage == "videobrev"]
    assert {(o.opens, o.due) for o in lab} == {(OWN.opens, OWN.due)}
    erik = Person(1, "Erik", cohort.id, "umea", frozenset({Role.PARTICIPANT}), labs=("videobrev",))
    maria = Person(2, "Maria", cohort.id, "umea", frozenset({Role.PARTICIPANT}))
    audience = Audience(cohort, programme, [erik, maria], {}, {1: set(), 2: set()})
    rows = preview(audience, occasions(programme, cohort), date(2027, 3, 1), date(2027, 3, 1)).rows
    assert [(r.kind, r.what, r.people) for r in rows if "labs" in r.what] == [
        ("stage_open", "labs/videobrev", 1)
    ]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copytree(ROOT / "schedules", tmp_path / "schedules")
    return tmp_path


def _set_dates(data: Path, dates: dict[str, dict[str, str]]) -> None:
    edit_yaml(data / VB, lambda d: d["labs"].update(dates=dates))


def test_check_names_an_unknown_lab_by_its_id(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _set_dates(data, {"videobrevet": {"opens": "2027-03-01", "due": "2027-04-16"}})
    code, output = run_check(data, monkeypatch)
    assert code == 1
    assert (
        "schedules/vb-2027.yaml: labs.dates.videobrevet: unknown lab 'videobrevet' (use one of"
        in (output)
    )


def test_check_names_a_lab_due_before_it_opens(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _set_dates(data, {"videobrev": {"opens": "2027-04-16", "due": "2027-03-01"}})
    code, output = run_check(data, monkeypatch)
    assert code == 1
    assert (
        "schedules/vb-2027.yaml: labs.dates.videobrev.due: the lab is due before it opens "
        "(set due on or after opens)"
    ) in output


def test_check_names_a_lab_outside_the_window(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _set_dates(data, {"natfiske": {"opens": "2027-01-11", "due": "2027-03-05"}})
    code, output = run_check(data, monkeypatch)
    assert code == 1
    assert (
        "schedules/vb-2027.yaml: labs.dates.natfiske: the lab's dates are outside the lab "
        "window (2027-02-01 to 2027-11-26) (move them inside the window or widen the window)"
    ) in output
