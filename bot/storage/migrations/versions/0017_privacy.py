"""privacy: a reflection shared anonymously outlives its forgotten author (person_id nullable)

Revision ID: 0017
Revises: 0011
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reflection") as batch:
        batch.alter_column("person_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    # Entries without an author cannot go back under a NOT NULL column: they go.
    op.execute("DELETE FROM reflection WHERE person_id IS NULL")
    with op.batch_alter_table("reflection") as batch:
        batch.alter_column("person_id", existing_type=sa.Integer(), nullable=False)
