"""buddy relay: messages between buddies, their deliveries, and check-ins

Revision ID: 0014
Revises: 0017
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "buddy_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["pair_id"], ["buddy_pair.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sender_id"], ["person.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["thread_id"], ["buddy_message.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_buddy_message_pair_id", "buddy_message", ["pair_id"], unique=False)
    op.create_index("ix_buddy_message_sender_id", "buddy_message", ["sender_id"], unique=False)
    op.create_index("ix_buddy_message_thread_id", "buddy_message", ["thread_id"], unique=False)
    op.create_table(
        "buddy_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("outbox_key", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("notified_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["message_id"], ["buddy_message.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recipient_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("outbox_key"),
    )
    op.create_index("ix_buddy_delivery_message_id", "buddy_delivery", ["message_id"], unique=False)
    op.create_index(
        "ix_buddy_delivery_recipient_id", "buddy_delivery", ["recipient_id"], unique=False
    )
    op.create_table(
        "buddy_checkin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("stage_ref", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("asked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("answer", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("answered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["pair_id"], ["buddy_pair.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pair_id", "person_id", "stage_ref"),
    )
    op.create_index("ix_buddy_checkin_pair_id", "buddy_checkin", ["pair_id"], unique=False)
    op.create_index("ix_buddy_checkin_person_id", "buddy_checkin", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_buddy_checkin_person_id", table_name="buddy_checkin")
    op.drop_index("ix_buddy_checkin_pair_id", table_name="buddy_checkin")
    op.drop_table("buddy_checkin")
    op.drop_index("ix_buddy_delivery_recipient_id", table_name="buddy_delivery")
    op.drop_index("ix_buddy_delivery_message_id", table_name="buddy_delivery")
    op.drop_table("buddy_delivery")
    op.drop_index("ix_buddy_message_thread_id", table_name="buddy_message")
    op.drop_index("ix_buddy_message_sender_id", table_name="buddy_message")
    op.drop_index("ix_buddy_message_pair_id", table_name="buddy_message")
    op.drop_table("buddy_message")
