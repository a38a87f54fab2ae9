"""The repository: every query the features and delivery need, in one unit of work.

A ``Store`` wraps one session; ``unit(db)`` opens one, commits on success and rolls back on
any error, so an inbound event or an import is applied whole or not at all. The queries live
in one module per aggregate (cohorts, people, identities, progress, outbox and its claims,
coordination);
``Store`` is the facade that combines them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.storage.actions import ActionQueries
from bot.storage.answers import AnswerMessageQueries
from bot.storage.bank import BankQueries
from bot.storage.broadcasts import BroadcastQueries
from bot.storage.buddies import BuddyQueries
from bot.storage.buddy_left_out import LeftOutQueries
from bot.storage.buddy_rounds import BuddyRoundQueries
from bot.storage.claim_release import ReleaseQueries
from bot.storage.cohorts import CohortQueries
from bot.storage.conversations import ConversationQueries
from bot.storage.coordination import PLANNER_LOCK_ID, CoordinationQueries
from bot.storage.db import NESTED, Database
from bot.storage.identities import Identity, IdentityQueries
from bot.storage.invites import InviteQueries
from bot.storage.outbox import OutboxItem, OutboxQueries
from bot.storage.people import PeopleQueries
from bot.storage.planned import PlannedQueries
from bot.storage.privacy import PrivacyQueries
from bot.storage.progress import ProgressQueries, Reflection
from bot.storage.quiz import QuizQueries
from bot.storage.relay import RelayQueries
from bot.storage.roster import RosterQueries
from bot.storage.teamwork import TeamQueries
from bot.storage.workspaces import WorkspaceQueries

__all__ = ["PLANNER_LOCK_ID", "Identity", "OutboxItem", "Reflection", "Store", "unit"]


class Store(
    CohortQueries,
    RosterQueries,
    PeopleQueries,
    IdentityQueries,
    ProgressQueries,
    OutboxQueries,
    ReleaseQueries,
    CoordinationQueries,
    ConversationQueries,
    ActionQueries,
    InviteQueries,
    AnswerMessageQueries,
    PlannedQueries,
    WorkspaceQueries,
    BuddyQueries,
    QuizQueries,
    BankQueries,
    TeamQueries,
    PrivacyQueries,
    RelayQueries,
    BroadcastQueries,
    BuddyRoundQueries,
    LeftOutQueries,
):
    """Queries and commands over one session (one transaction)."""


@asynccontextmanager
async def unit(db: Database) -> AsyncIterator[Store]:
    """One transaction: commit on success, roll back on any exception."""
    async with db.turn() as nested, db.sessions() as session, session.begin():
        if nested:
            await session.connection(execution_options={NESTED: True})
        yield Store(session)
