"""memberships: a person may belong to several cohorts, with an organisation and roles in each

Revision ID: 0007
Revises: 0003
Create Date: 2026-12-01

Every existing person becomes one membership of the cohort they were in, with their
organisation and roles there; ``person.cohort_id``, ``person.organisation_id`` and the
``person_role`` table are then dropped. The cohort gains the first and last day of its
schedule (``starts_on``, ``ends_on``), which decides a person's current cohort.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("joined_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohort.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "cohort_id"),
    )
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_membership_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_membership_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_membership_organisation_id"), ["organisation_id"], unique=False
        )
    op.create_table(
        "membership_role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.ForeignKeyConstraint(["membership_id"], ["membership.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("membership_id", "role"),
    )
    with op.batch_alter_table("membership_role", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_membership_role_membership_id"), ["membership_id"], unique=False
        )
    with op.batch_alter_table("cohort", schema=None) as batch_op:
        batch_op.add_column(sa.Column("starts_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("ends_on", sa.Date(), nullable=True))

    op.execute(
        "INSERT INTO membership (person_id, cohort_id, organisation_id, joined_at) "
        "SELECT id, cohort_id, organisation_id, created_at FROM person"
    )
    op.execute(
        "INSERT INTO membership_role (membership_id, role) "
        "SELECT m.id, r.role FROM person_role r JOIN membership m ON m.person_id = r.person_id"
    )

    with op.batch_alter_table("person_role", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_role_person_id"))
    op.drop_table("person_role")
    # On SQLite this rebuilds the table; Database.upgrade_sync turns foreign keys off for
    # migrations, or dropping the old table would cascade-delete every row pointing at it.
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_cohort_id"))
        batch_op.drop_index(batch_op.f("ix_person_organisation_id"))
        batch_op.drop_column("cohort_id")
        batch_op.drop_column("organisation_id")


def downgrade() -> None:
    """Back to one cohort per person: each keeps the membership they joined last."""
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("cohort_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
    latest = (
        "(SELECT m.{column} FROM membership m WHERE m.person_id = person.id "
        "ORDER BY m.joined_at DESC, m.id DESC LIMIT 1)"
    )
    op.execute(
        f"UPDATE person SET cohort_id = {latest.format(column='cohort_id')}, "
        f"organisation_id = {latest.format(column='organisation_id')}"
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.alter_column(
            "cohort_id", existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False
        )
        batch_op.create_foreign_key("fk_person_cohort_id", "cohort", ["cohort_id"], ["id"])
        batch_op.create_foreign_key(
            "fk_person_organisation_id", "organisation", ["organisation_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_person_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_person_organisation_id"), ["organisation_id"], unique=False
        )
    op.create_table(
        "person_role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "role"),
    )
    with op.batch_alter_table("person_role", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_role_person_id"), ["person_id"], unique=False)
    op.execute(
        "INSERT INTO person_role (person_id, role) "
        "SELECT m.person_id, r.role FROM membership_role r "
        "JOIN membership m ON m.id = r.membership_id "
        "JOIN person p ON p.id = m.person_id AND p.cohort_id = m.cohort_id"
    )
    with op.batch_alter_table("cohort", schema=None) as batch_op:
        batch_op.drop_column("ends_on")
        batch_op.drop_column("starts_on")
    op.drop_table("membership_role")
    op.drop_table("membership")
