"""conversation state: one per person, replacing person.pending_activity

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversation",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id"),
    )
    # A prompt waiting for its answer keeps waiting. JSON is built in SQL on both dialects
    # (refs are slugs with "/" and ".", nothing that needs escaping).
    op.execute(
        "INSERT INTO conversation (person_id, kind, data, since) "
        "SELECT id, 'reflection', '{\"ref\": \"' || pending_activity || '\"}', created_at "
        "FROM person WHERE pending_activity IS NOT NULL"
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("pending_activity")


def downgrade() -> None:
    # Waiting prompts are not put back: people are asked again with the next reminder.
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "pending_activity", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True
            )
        )
    op.drop_table("conversation")
