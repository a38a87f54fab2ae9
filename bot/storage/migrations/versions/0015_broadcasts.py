"""broadcasts: organisers' messages to part of a cohort, and their recipients with RSVPs

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STR = sqlmodel.sql.sqltypes.AutoString
_TIME = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "broadcast",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", _STR(length=64), nullable=False),
        sa.Column("targets", _STR(length=500), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("state", _STR(length=16), nullable=False),
        sa.Column("send_at", _TIME(), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.Column("rsvp", sa.Boolean(), nullable=False),
        sa.Column("gathering", _STR(length=130), nullable=True),
        sa.Column("answers_until", _TIME(), nullable=True),
        sa.Column("respect_quiet_hours", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("ics_sequence", sa.Integer(), nullable=False),
        sa.Column("source", _STR(length=8), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", _TIME(), nullable=True),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohort.id"]),
        sa.ForeignKeyConstraint(["sender_id"], ["person.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_broadcast_cohort_id", "broadcast", ["cohort_id"], unique=False)
    op.create_index("ix_broadcast_sender_id", "broadcast", ["sender_id"], unique=False)
    op.create_table(
        "broadcast_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("broadcast_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("message_key", _STR(length=255), nullable=False),
        sa.Column("ics_key", _STR(length=255), nullable=True),
        sa.Column("answer", _STR(length=16), nullable=True),
        sa.Column("answered_at", _TIME(), nullable=True),
        sa.ForeignKeyConstraint(["broadcast_id"], ["broadcast.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("broadcast_id", "person_id"),
    )
    op.create_index("ix_broadcast_recipient_broadcast_id", "broadcast_recipient", ["broadcast_id"])
    op.create_index("ix_broadcast_recipient_person_id", "broadcast_recipient", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_broadcast_recipient_person_id", table_name="broadcast_recipient")
    op.drop_index("ix_broadcast_recipient_broadcast_id", table_name="broadcast_recipient")
    op.drop_table("broadcast_recipient")
    op.drop_index("ix_broadcast_sender_id", table_name="broadcast")
    op.drop_index("ix_broadcast_cohort_id", table_name="broadcast")
    op.drop_table("broadcast")
