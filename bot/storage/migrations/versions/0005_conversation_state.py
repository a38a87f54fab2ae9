"""conversation state: one per person, replacing person.pending_activity

Revision ID: 0005
Revises: 0007
Create Date: 2026-12-01
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A prompt waiting for its answer keeps waiting. The rows are read before the column is
    # dropped and written after the table exists: on SQLite the batch drop recreates
    # ``person``, and dropping the old table would cascade to rows already copied.
    bind = op.get_bind()
    pending = bind.execute(
        sa.text(
            "SELECT id, pending_activity, created_at FROM person WHERE pending_activity IS NOT NULL"
        )
    ).all()
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("pending_activity")
    op.create_table(
        "conversation",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id"),
    )
    for person_id, ref, created_at in pending:
        bind.execute(
            sa.text(
                "INSERT INTO conversation (person_id, kind, data, since) "
                "VALUES (:person, 'reflection', :data, :since)"
            ),
            # created_at goes back as it was read: the column format is the same
            {"person": person_id, "data": json.dumps({"ref": ref}), "since": created_at},
        )


def downgrade() -> None:
    # Waiting prompts are not put back: people are asked again with the next reminder.
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "pending_activity", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True
            )
        )
    op.drop_table("conversation")
