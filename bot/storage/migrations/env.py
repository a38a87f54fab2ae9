"""Alembic environment: runs on the connection Database.upgrade_sync hands over."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import bot.storage.tables  # noqa: F401  (registers the tables on SQLModel.metadata)

target_metadata = SQLModel.metadata
connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `kompis db upgrade`")
context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
