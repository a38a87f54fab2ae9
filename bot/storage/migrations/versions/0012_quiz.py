"""quiz: attempts (takes of a quiz by a person) and their answers

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quiz_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("activity_ref", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("picked", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("asked_key", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=True),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "activity_ref", "number"),
    )
    op.create_index("ix_quiz_attempt_person_id", "quiz_attempt", ["person_id"], unique=False)
    op.create_index("ix_quiz_attempt_activity_ref", "quiz_attempt", ["activity_ref"], unique=False)
    op.create_table(
        "quiz_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("chosen", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("right", sa.Boolean(), nullable=False),
        sa.Column("answered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["quiz_attempt.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("attempt_id", "question_id"),
    )
    op.create_index("ix_quiz_answer_attempt_id", "quiz_answer", ["attempt_id"], unique=False)
    op.create_index("ix_quiz_answer_person_id", "quiz_answer", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_quiz_answer_person_id", table_name="quiz_answer")
    op.drop_index("ix_quiz_answer_attempt_id", table_name="quiz_answer")
    op.drop_table("quiz_answer")
    op.drop_index("ix_quiz_attempt_activity_ref", table_name="quiz_attempt")
    op.drop_index("ix_quiz_attempt_person_id", table_name="quiz_attempt")
    op.drop_table("quiz_attempt")
