"""outbox hardening: priority, target platform, leases, crash count, retry horizon

Revision ID: 0004
Revises: 0009
Create Date: 2026-12-01
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PRIORITY_OF_KIND = {"reply": 0, "broadcast": 2}


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(
            sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch_op.add_column(
            sa.Column("lease_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("send_started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("crashes", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("failing_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.create_index(
            "ix_outbox_claim_order", ["status", "priority", "not_before"], unique=False
        )
    # Rows queued before this revision: their priority from their kind, and the platform of a
    # bare address from its JSON (a person's rows may go out on any of their platforms).
    bind = op.get_bind()
    outbox = sa.table(
        "outbox",
        sa.column("id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("address", sa.String()),
        sa.column("person_id", sa.Integer()),
        sa.column("priority", sa.Integer()),
        sa.column("platform", sa.String()),
    )
    for kind, priority in _PRIORITY_OF_KIND.items():
        bind.execute(outbox.update().where(outbox.c.kind == kind).values(priority=priority))
    bare = bind.execute(
        sa.select(outbox.c.id, outbox.c.address).where(
            outbox.c.person_id.is_(None), outbox.c.address.is_not(None)
        )
    ).all()
    for row_id, address in bare:
        platform = str(json.loads(address).get("platform", ""))[:16] or None
        bind.execute(outbox.update().where(outbox.c.id == row_id).values(platform=platform))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_claim_order")
        batch_op.drop_column("failing_since")
        batch_op.drop_column("crashes")
        batch_op.drop_column("send_started_at")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("platform")
        batch_op.drop_column("priority")
