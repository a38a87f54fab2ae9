"""Properties of the bank's policy and exports, for any reader and any answer text."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from bot.bank_export import HEADINGS, Row, to_csv, to_markdown
from bot.domain.bank_access import Entry, Viewer, may_read
from bot.domain.people import Role, Visibility

WIDER = [Visibility.PRIVATE, Visibility.BUDDY, Visibility.COHORT]
people = st.integers(min_value=1, max_value=6)
viewers = st.builds(
    Viewer,
    person_id=st.one_of(st.none(), people),
    cohort_id=st.sampled_from(["a", "b"]),
    roles=st.frozensets(st.sampled_from(list(Role))),
    organisation=st.sampled_from([None, "tromso", "alta"]),
    buddy_of=st.frozensets(people),
)
entries = st.builds(
    Entry,
    id=st.just(1),
    author_id=st.one_of(st.none(), people),
    cohort_id=st.sampled_from(["a", "b"]),
    organisation=st.sampled_from([None, "tromso", "alta"]),
    visibility=st.sampled_from(list(Visibility)),
    hidden=st.booleans(),
)


@given(entries, viewers)
def test_sharing_wider_never_takes_a_reader_away(entry: Entry, viewer: Viewer) -> None:
    readers = [may_read(Entry(**{**entry.__dict__, "visibility": v}), viewer) for v in WIDER]
    assert readers == sorted(readers)  # False ... True, never True then False


@given(entries, viewers)
def test_anonymous_reaches_exactly_whom_the_cohort_reaches(entry: Entry, viewer: Viewer) -> None:
    named = Entry(**{**entry.__dict__, "visibility": Visibility.COHORT})
    anonymous = Entry(**{**entry.__dict__, "visibility": Visibility.ANONYMOUS})
    assert may_read(named, viewer) == may_read(anonymous, viewer)


@given(entries, viewers)
def test_no_one_reads_another_cohort_and_the_author_always_reads(
    entry: Entry, viewer: Viewer
) -> None:
    if viewer.person_id is not None and viewer.person_id == entry.author_id:
        assert may_read(entry, viewer)
    elif viewer.cohort_id != entry.cohort_id or not viewer.roles:
        assert not may_read(entry, viewer)
    if entry.hidden and may_read(entry, viewer) and viewer.person_id != entry.author_id:
        assert Role.ORGANISER in viewer.roles


LABELS = {key: key for key in HEADINGS} | {"anonymous": "anonym"}
texts = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"))


@given(st.lists(texts, min_size=1, max_size=4), st.booleans())
def test_csv_cells_come_back_as_written(answers: list[str], comma: bool) -> None:
    found = [Row("M", "Q", n, "", "", a, "2027-01-12") for n, a in enumerate(answers)]
    data = to_csv(found, LABELS, "," if comma else ";")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    read = list(csv.reader(io.StringIO(text, newline=""), delimiter="," if comma else ";"))
    assert len(read) == len(answers) + 1
    for answer, row in zip(answers, read[1:], strict=True):
        cell = row[5]
        # a formula-looking answer gets one apostrophe in front, nothing else changes
        expected = "'" + answer if answer.startswith(("=", "+", "-", "@", "\t", "\r")) else answer
        assert cell == expected


@given(texts)
def test_an_answer_cannot_become_markdown_structure(answer: str) -> None:
    page = to_markdown([Row("M", "Q", 1, "", "", answer, "2027-01-12")], LABELS, "T")
    lines = page.decode("utf-8").splitlines()
    start = lines.index("### Q") + 2
    body = lines[start : lines.index("", start)]
    assert all(line.startswith(">") for line in body)  # every line stays in the quote
