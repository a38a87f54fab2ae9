"""buddy left out: who had no buddy in a round and why, until they are told

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "buddy_left_out",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("told_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohort.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cohort_id", "round", "person_id"),
    )
    op.create_index("ix_buddy_left_out_person_id", "buddy_left_out", ["person_id"], unique=False)
    op.create_index("ix_buddy_left_out_told_at", "buddy_left_out", ["told_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_buddy_left_out_told_at", table_name="buddy_left_out")
    op.drop_index("ix_buddy_left_out_person_id", table_name="buddy_left_out")
    op.drop_table("buddy_left_out")
