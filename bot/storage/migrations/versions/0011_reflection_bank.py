"""reflection bank: consents with their history, digilog comments, flags, moderation

Revision ID: 0011
Revises: 0012
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AT = sqlmodel.sql.sqltypes.UTCDateTime


def _reflection() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["reflection_id"], ["reflection.id"], ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "reflection_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reflection_id", sa.Integer(), nullable=False),
        sa.Column("visibility", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("chosen_at", _AT(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        _reflection(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reflection_consent_reflection_id", "reflection_consent", ["reflection_id"])
    for table in ("bank_comment", "bank_flag"):
        columns = [
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("reflection_id", sa.Integer(), nullable=False),
            sa.Column("person_id", sa.Integer(), nullable=False),
        ]
        if table == "bank_comment":
            columns.append(sa.Column("text", sa.Text(), nullable=False))
        op.create_table(
            table,
            *columns,
            sa.Column("created_at", _AT(), nullable=False),
            _reflection(),
            sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(f"ix_{table}_reflection_id", table, ["reflection_id"])
        op.create_index(f"ix_{table}_person_id", table, ["person_id"])
    op.create_table(
        "bank_moderation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reflection_id", sa.Integer(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("at", _AT(), nullable=False),
        _reflection(),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_bank_moderation_reflection_id", "bank_moderation", ["reflection_id"])
    op.create_index("ix_bank_moderation_person_id", "bank_moderation", ["person_id"])


def downgrade() -> None:
    for table in ("bank_moderation", "bank_flag", "bank_comment", "reflection_consent"):
        op.drop_table(table)
