"""audience version: person.version and audience_stamp, raised by triggers, so a planner
knows without re-reading a cohort's people whether anything it reads of them changed

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: tables with a person_id whose rows the planner reads of a person, and the columns whose
#: update counts (None: any; an identity's last_seen changes at every message, unread)
PERSON_TABLES = {
    "completion": None,
    "lab_choice": None,
    "identity": ("person_id", "unreachable_at"),
}
#: tables whose changes alter who is in a cohort, their organisation or its group
STAMP_TABLES = ("membership", "organisation")
BUMP = "UPDATE person SET version = version + 1 WHERE id IN ({})"
ROLE_PERSON = "SELECT person_id FROM membership WHERE id = {}.membership_id"
STAMP = "UPDATE audience_stamp SET version = version + 1"


def _changed(columns: tuple[str, ...], differs: str, left: str = "", right: str = "") -> str:
    """A trigger's WHEN: one of ``columns`` has a new value."""
    changed = " OR ".join(f"OLD.{c} {differs} NEW.{c}" for c in columns)
    return f" WHEN {left}{changed}{right}"


def _sqlite() -> list[str]:
    sql = [
        # an update of the person's own columns; the triggers' own raise sets version and so
        # does not fire this again
        "CREATE TRIGGER person_version AFTER UPDATE ON person WHEN NEW.version = OLD.version "
        "BEGIN UPDATE person SET version = OLD.version + 1 WHERE id = NEW.id; END"
    ]
    ids = {"INSERT": ["NEW"], "UPDATE": ["OLD", "NEW"], "DELETE": ["OLD"]}
    for table, columns in PERSON_TABLES.items():
        for op_name, rows in ids.items():
            who = ", ".join(f"{r}.person_id" for r in rows)
            when = _changed(columns, "IS NOT") if columns and op_name == "UPDATE" else ""
            sql.append(
                f"CREATE TRIGGER {table}_person_version_{op_name.lower()} AFTER {op_name} "
                f"ON {table}{when} BEGIN {BUMP.format(who)}; END"
            )
    for op_name, rows in ids.items():
        who = " UNION ".join(ROLE_PERSON.format(r) for r in rows)
        sql.append(
            f"CREATE TRIGGER membership_role_person_version_{op_name.lower()} AFTER {op_name} "
            f"ON membership_role BEGIN {BUMP.format(who)}; END"
        )
    for table in STAMP_TABLES:
        for op_name in ids:
            sql.append(
                f"CREATE TRIGGER {table}_audience_stamp_{op_name.lower()} AFTER {op_name} "
                f"ON {table} BEGIN {STAMP}; END"
            )
    return sql


def _postgresql() -> list[str]:
    def person_function(name: str, who: str) -> str:
        return (
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP <> 'INSERT' THEN "
            f"{BUMP.format(who.format('OLD'))}; END IF; "
            "IF TG_OP <> 'DELETE' THEN "
            f"{BUMP.format(who.format('NEW'))}; END IF; "
            "RETURN NULL; END $$"
        )

    sql = [
        "CREATE FUNCTION kompis_person_version() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN IF NEW.version = OLD.version THEN NEW.version := OLD.version + 1; END IF; "
        "RETURN NEW; END $$",
        "CREATE TRIGGER person_version BEFORE UPDATE ON person FOR EACH ROW "
        "EXECUTE FUNCTION kompis_person_version()",
        person_function("kompis_person_row_version", "{}.person_id"),
        person_function("kompis_role_person_version", ROLE_PERSON),
        "CREATE FUNCTION kompis_audience_stamp() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {STAMP}; RETURN NULL; END $$",
    ]
    for table, columns in PERSON_TABLES.items():
        events = "INSERT OR DELETE" if columns else "INSERT OR UPDATE OR DELETE"
        sql.append(
            f"CREATE TRIGGER {table}_person_version AFTER {events} "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION kompis_person_row_version()"
        )
        if columns:  # an update only when one of the columns read changed
            sql.append(
                f"CREATE TRIGGER {table}_person_version_update AFTER UPDATE ON {table} "
                f"FOR EACH ROW{_changed(columns, 'IS DISTINCT FROM', '(', ')')} "
                "EXECUTE FUNCTION kompis_person_row_version()"
            )
    sql.append(
        "CREATE TRIGGER membership_role_person_version AFTER INSERT OR UPDATE OR DELETE "
        "ON membership_role FOR EACH ROW EXECUTE FUNCTION kompis_role_person_version()"
    )
    for table in STAMP_TABLES:
        sql.append(
            f"CREATE TRIGGER {table}_audience_stamp AFTER INSERT OR UPDATE OR DELETE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION kompis_audience_stamp()"
        )
    return sql


def upgrade() -> None:
    op.add_column("person", sa.Column("version", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "audience_stamp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO audience_stamp (id, version) VALUES (1, 0)")
    dialect = op.get_bind().dialect.name
    for statement in _postgresql() if dialect == "postgresql" else _sqlite():
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for table in (*PERSON_TABLES, "membership_role"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_person_version ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_person_version_update ON {table}")
        for table in STAMP_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_audience_stamp ON {table}")
        op.execute("DROP TRIGGER IF EXISTS person_version ON person")
        for name in (
            "kompis_person_version",
            "kompis_person_row_version",
            "kompis_role_person_version",
            "kompis_audience_stamp",
        ):
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        names = op.get_bind().execute(
            sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        )
        for (name,) in list(names):
            if "_version" in name or "_audience_stamp" in name:
                op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("audience_stamp")
    with op.batch_alter_table("person") as batch:
        batch.drop_column("version")
