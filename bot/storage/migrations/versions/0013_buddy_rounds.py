"""buddy rounds (one row per cohort and round, written before its groups) and opt-outs

Revision ID: 0013
Revises: 0015
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "buddy_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohort.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cohort_id", "round"),
    )
    op.create_table(
        "buddy_opt_out",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohort.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cohort_id", "person_id"),
    )
    op.create_index("ix_buddy_opt_out_person_id", "buddy_opt_out", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_buddy_opt_out_person_id", table_name="buddy_opt_out")
    op.drop_table("buddy_opt_out")
    op.drop_table("buddy_round")
