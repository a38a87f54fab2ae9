"""Who may read a reflection in the bank: ONE pure policy every path uses (the bank in chat,
the buddy view, comment notifications, the Slack App Home, the exports).

- the author always (also a hidden entry, marked hidden);
- nobody else reads a private, a hidden, or another cohort's entry (organisers of the
  cohort do see hidden entries, to unhide them);
- the author's buddy reads ``buddy`` and wider;
- every member of the cohort reads ``cohort`` and ``anonymous`` entries;
- a coordinator reads every shared entry of their own organisation's leaders;
- an organiser reads every shared entry of their cohorts.

An anonymous entry never names its author: not even to organisers (``shows_author``).
An entry whose author was erased (``author_id`` None) reads as anonymous.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.people import Role, Visibility

SHARED = (Visibility.BUDDY, Visibility.COHORT, Visibility.ANONYMOUS)
#: what goes to a gathering's wall (the exports): what the whole cohort may read
FOR_THE_COHORT = (Visibility.COHORT, Visibility.ANONYMOUS)


@dataclass(frozen=True)
class Entry:
    """A reflection as the policy sees it."""

    id: int
    author_id: int | None
    cohort_id: str
    organisation: str | None  # the author's organisation in the cohort
    visibility: Visibility
    hidden: bool = False


@dataclass(frozen=True)
class Viewer:
    """Someone who wants to read, as a member of one cohort (``roles`` empty: not a member)."""

    person_id: int | None
    cohort_id: str
    roles: frozenset[Role] = frozenset()
    organisation: str | None = None
    #: the people whose buddy the viewer is in this cohort
    buddy_of: frozenset[int] = field(default_factory=frozenset)

    @staticmethod
    def the_cohort(cohort_id: str) -> Viewer:
        """A cohort member who is nobody's buddy: the audience of an export."""
        return Viewer(None, cohort_id, frozenset({Role.PARTICIPANT}))


def may_read(entry: Entry, viewer: Viewer) -> bool:
    if entry.author_id is not None and viewer.person_id == entry.author_id:
        return True
    if viewer.cohort_id != entry.cohort_id or not viewer.roles:
        return False
    if entry.visibility not in SHARED:
        return False
    if Role.ORGANISER in viewer.roles:
        return True
    if entry.hidden:
        return False
    if entry.visibility in FOR_THE_COHORT:
        return True
    own_org = entry.organisation is not None and entry.organisation == viewer.organisation
    if Role.COORDINATOR in viewer.roles and own_org:
        return True
    return entry.author_id is not None and entry.author_id in viewer.buddy_of


def shows_author(entry: Entry) -> bool:
    """Whether the author's name (and organisation) may be shown with the entry at all."""
    return entry.visibility != Visibility.ANONYMOUS and entry.author_id is not None


def may_moderate(viewer: Viewer) -> bool:
    return Role.ORGANISER in viewer.roles
