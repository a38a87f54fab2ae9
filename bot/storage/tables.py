"""The database tables. Datetimes are aware and stored as UTC (SQLModel's UTCDateTime)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class CohortRow(SQLModel, table=True):
    __tablename__ = "cohort"
    id: str = Field(primary_key=True, max_length=64)
    programme_id: str = Field(max_length=64)
    name: str = Field(max_length=200)
    timezone: str = Field(max_length=64)
    locale: str = Field(max_length=8)
    country: str = Field(max_length=2)
    planned_until: datetime | None = None  # planner watermark: occasions up to here are queued
    starts_on: date | None = None  # the schedule's first and last day (a person's current
    ends_on: date | None = None  # cohort is one running now)


class GatheringGroupRow(SQLModel, table=True):
    __tablename__ = "gathering_group"
    __table_args__ = (UniqueConstraint("cohort_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: str = Field(foreign_key="cohort.id", index=True, max_length=64)
    key: str = Field(max_length=64)
    name: str = Field(max_length=200)


class OrganisationRow(SQLModel, table=True):
    __tablename__ = "organisation"
    __table_args__ = (UniqueConstraint("cohort_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: str = Field(foreign_key="cohort.id", index=True, max_length=64)
    key: str = Field(max_length=64)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=32)
    group_key: str | None = Field(default=None, max_length=64)


class PersonRow(SQLModel, table=True):
    __tablename__ = "person"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, index=True, max_length=320)
    locale: str | None = Field(default=None, max_length=8)
    paused_until: datetime | None = None
    snoozed_until: datetime | None = None
    created_at: datetime
    timezone: str | None = Field(default=None, max_length=64)  # IANA zone; None: the cohort's
    #: raised by triggers on every change the planner reads (``bot.storage.tables_audience``)
    version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class IdentityRow(SQLModel, table=True):
    """One platform account of a person; a person may have several."""

    __tablename__ = "identity"
    __table_args__ = (UniqueConstraint("platform", "workspace", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    platform: str = Field(max_length=16)
    workspace: str = Field(default="", max_length=64)
    external_id: str = Field(max_length=128)
    chat_id: str = Field(max_length=128)
    last_seen: datetime | None = None
    unreachable_at: datetime | None = None
    unreachable_reason: str | None = Field(default=None, max_length=200)
    #: when the person chose this account for Kompis to write to (``channel``); None: not
    chosen_at: datetime | None = None


class CompletionRow(SQLModel, table=True):
    __tablename__ = "completion"
    __table_args__ = (UniqueConstraint("person_id", "activity_ref"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    activity_ref: str = Field(max_length=200)
    completed_at: datetime
    source: str = Field(max_length=32)  # which feature marked it: reflection, button, quiz ...


class ReflectionRow(SQLModel, table=True):
    __tablename__ = "reflection"
    __table_args__ = (UniqueConstraint("person_id", "activity_ref"),)
    id: int | None = Field(default=None, primary_key=True)
    # None: the author was forgotten and the entry, shared anonymously, kept (bot.storage.erase)
    person_id: int | None = Field(
        default=None, foreign_key="person.id", index=True, ondelete="CASCADE"
    )
    cohort_id: str = Field(foreign_key="cohort.id", index=True, max_length=64)
    activity_ref: str = Field(max_length=200)
    text: str = Field(sa_column=Column(Text, nullable=False))
    visibility: str = Field(max_length=16)
    created_at: datetime
    updated_at: datetime


class OutboxRow(SQLModel, table=True):
    """Every outbound message, from intent to delivery. ``key`` makes enqueueing idempotent."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_claim_order", "status", "priority", "not_before"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=255)
    # Usually a person; a reply to someone Kompis does not know yet goes to a bare address.
    person_id: int | None = Field(
        default=None, foreign_key="person.id", index=True, ondelete="CASCADE"
    )
    address: str | None = Field(default=None, max_length=500)  # JSON of messages.Address
    locale: str | None = Field(default=None, max_length=8)  # only with a bare address
    kind: str = Field(max_length=32)
    template: str = Field(max_length=64)
    params: str = Field(sa_column=Column(Text, nullable=False))  # JSON
    buttons: str = Field(sa_column=Column(Text, nullable=False))  # JSON
    status: str = Field(default="pending", index=True, max_length=16)
    not_before: datetime = Field(index=True)
    created_at: datetime
    attempts: int = 0
    parts_sent: int = 0  # of a message split for the platform: a retry resumes after these
    late: bool = False
    last_error: str | None = Field(default=None, max_length=500)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    # JSON of Outgoing.extras(): edit_of, reply_to, attachment, choice
    extras: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # JSON {"address": Address, "ids": [platform message id per part sent]}, so a later
    # message can edit or reply to this one by its outbox key
    sent_parts: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # Delivery hardening (migration 0004). ``priority``: 0 replies, 1 planned, 2 bulk, claimed
    # in that order. ``platform``: where the row is meant to go (a bare address's platform at
    # enqueue; a person's row records the platform it last went out on). ``lease_until``: the
    # claim holds until then (database clock) unless renewed. ``send_started_at``: a send was
    # begun and not yet settled; ``crashes``: how often a worker died in that state.
    # ``failing_since``: the first failure of the current run of failures (the retry horizon).
    priority: int = Field(default=1)
    platform: str | None = Field(default=None, max_length=16)
    lease_until: datetime | None = None
    send_started_at: datetime | None = None
    crashes: int = 0
    failing_since: datetime | None = None


class InboundSeenRow(SQLModel, table=True):
    """Platform event ids already handled, so a redelivered update is not handled twice."""

    __tablename__ = "inbound_seen"
    __table_args__ = (UniqueConstraint("platform", "event_id"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    event_id: str = Field(max_length=128)
    seen_at: datetime = Field(index=True)


class LabChoiceRow(SQLModel, table=True):
    """A lab (lärlabb) a person chose from their programme's catalogue."""

    __tablename__ = "lab_choice"
    __table_args__ = (UniqueConstraint("person_id", "lab_id"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    lab_id: str = Field(max_length=64)
    chosen_at: datetime


class SurveyAnswerRow(SQLModel, table=True):
    """A self-assessment answer: the step on the activity's scale (1 = the first label)."""

    __tablename__ = "survey_answer"
    __table_args__ = (UniqueConstraint("person_id", "activity_ref"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    cohort_id: str = Field(foreign_key="cohort.id", index=True, max_length=64)
    activity_ref: str = Field(max_length=200)
    value: int
    answered_at: datetime


class MembershipRow(SQLModel, table=True):
    """A person in one cohort: pulje 1 and later pulje 2, or a coordinator in one cohort and a
    leader in another. The organisation and the roles are those the person has there."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("person_id", "cohort_id"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    cohort_id: str = Field(foreign_key="cohort.id", index=True, max_length=64)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    joined_at: datetime


class MembershipRoleRow(SQLModel, table=True):
    __tablename__ = "membership_role"
    __table_args__ = (UniqueConstraint("membership_id", "role"),)
    id: int | None = Field(default=None, primary_key=True)
    membership_id: int = Field(foreign_key="membership.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=32)


class ConversationRow(SQLModel, table=True):
    """What a person's next message answers (a reflection prompt, a survey step ...): at most
    one per person, so the person id is the key."""

    __tablename__ = "conversation"
    person_id: int = Field(primary_key=True, foreign_key="person.id", ondelete="CASCADE")
    kind: str = Field(max_length=32)
    data: str = Field(sa_column=Column(Text, nullable=False))  # JSON
    since: datetime


class ButtonActionRow(SQLModel, table=True):
    """A button's action kept server-side: the platform carries only the opaque ``id``, and a
    press counts only from the person the button was sent to."""

    __tablename__ = "button_action"
    id: str = Field(primary_key=True, max_length=32)
    person_id: int | None = Field(
        default=None, foreign_key="person.id", index=True, ondelete="CASCADE"
    )
    action: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(index=True)


class InviteRow(SQLModel, table=True):
    """A one-time invitation: a deep-link token (stored hashed) and a short join code."""

    __tablename__ = "invite"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(unique=True, max_length=64)
    code_hash: str = Field(unique=True, max_length=64)
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None


class AnswerMessageRow(SQLModel, table=True):
    """A person's platform message that answered a reflection prompt, so an edit of that
    message (Telegram) corrects the stored answer."""

    __tablename__ = "answer_message"
    __table_args__ = (UniqueConstraint("platform", "chat_id", "message_id"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=128)
    message_id: str = Field(max_length=64)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    activity_ref: str = Field(max_length=200)
    created_at: datetime


# Feature tables live in their own modules; importing them here registers them with the
# metadata that migrations and tests compare against.
from bot.storage.tables_audience import AudienceStampRow as AudienceStampRow  # noqa: E402
from bot.storage.tables_bank import BankCommentRow as BankCommentRow  # noqa: E402
from bot.storage.tables_broadcast import BroadcastRecipientRow as BroadcastRecipientRow  # noqa: E402
from bot.storage.tables_broadcast import BroadcastRow as BroadcastRow  # noqa: E402
from bot.storage.tables_buddies import BuddyMemberRow as BuddyMemberRow  # noqa: E402
from bot.storage.tables_buddies import BuddyPairRow as BuddyPairRow  # noqa: E402
from bot.storage.tables_budget import SendBudgetRow as SendBudgetRow  # noqa: E402
from bot.storage.tables_left_out import BuddyLeftOutRow as BuddyLeftOutRow  # noqa: E402
from bot.storage.tables_pairing import BuddyOptOutRow as BuddyOptOutRow  # noqa: E402
from bot.storage.tables_pairing import BuddyRoundRow as BuddyRoundRow  # noqa: E402
from bot.storage.tables_quiz import QuizAnswerRow as QuizAnswerRow  # noqa: E402
from bot.storage.tables_quiz import QuizAttemptRow as QuizAttemptRow  # noqa: E402
from bot.storage.tables_relay import BuddyCheckinRow as BuddyCheckinRow  # noqa: E402
from bot.storage.tables_relay import BuddyDeliveryRow as BuddyDeliveryRow  # noqa: E402
from bot.storage.tables_relay import BuddyMessageRow as BuddyMessageRow  # noqa: E402
