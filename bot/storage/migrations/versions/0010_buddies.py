"""buddies: groups of two or three per cohort round, and their members

Revision ID: 0010
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "buddy_pair",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("ended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("ended_reason", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohort.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_buddy_pair_cohort_id", "buddy_pair", ["cohort_id"], unique=False)
    op.create_table(
        "buddy_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["pair_id"], ["buddy_pair.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pair_id", "person_id"),
    )
    op.create_index("ix_buddy_member_pair_id", "buddy_member", ["pair_id"], unique=False)
    op.create_index("ix_buddy_member_person_id", "buddy_member", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_buddy_member_person_id", table_name="buddy_member")
    op.drop_index("ix_buddy_member_pair_id", table_name="buddy_member")
    op.drop_table("buddy_member")
    op.drop_index("ix_buddy_pair_cohort_id", table_name="buddy_pair")
    op.drop_table("buddy_pair")
