"""Migration 0009 creates exactly the tables slack-sdk's SQLAlchemy stores use, and they
work through those stores on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore

from bot.storage.db import Database
from bot.storage.repo import unit


def shape(table: sa.Table) -> dict[str, tuple[str, bool]]:
    return {c.name: (type(c.type).__name__, bool(c.nullable)) for c in table.columns}


async def test_the_tables_are_slack_sdks(database_url: str) -> None:
    db = Database(database_url)
    await db.upgrade()
    try:
        installations = AsyncSQLAlchemyInstallationStore(client_id="1.2", engine=db.engine)
        states = AsyncSQLAlchemyOAuthStateStore(expiration_seconds=60, engine=db.engine)
        async with db.engine.connect() as connection:
            found = await connection.run_sync(
                lambda sync: {
                    name: {
                        c["name"]: (type(c["type"]).__name__, bool(c["nullable"]))
                        for c in sa.inspect(sync).get_columns(name)
                    }
                    for name in ("slack_installations", "slack_bots", "slack_oauth_states")
                }
            )
        for table in (installations.installations, installations.bots, states.oauth_states):
            wanted = shape(table)
            assert set(found[table.name]) == set(wanted), table.name
            for column, (_kind, nullable) in wanted.items():
                assert found[table.name][column][1] == nullable, (table.name, column)

        installation = Installation(
            app_id="A1",
            team_id="T1",
            bot_token="xoxb-t1",
            bot_id="B1",
            bot_user_id="U0",
            user_id="U1",
        )
        await installations.async_save(installation)
        bot = await installations.async_find_bot(enterprise_id=None, team_id="T1")
        assert bot is not None and bot.bot_token == "xoxb-t1"
        async with unit(db) as store:
            assert await store.installed_slack_teams() == ["T1"]
        state = await states.async_issue()
        assert await states.async_consume(state) and not await states.async_consume(state)
    finally:
        await db.dispose()
