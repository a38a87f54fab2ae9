"""Broadcast on Slack: 5 workspaces × 200 DMs through Kompis (OAuth installations, its
outbox, sender and slack-sdk client) to the fake Web API enforcing 1 msg/s per channel and a
per-workspace posting limit; peer: slack-sdk's ``AsyncWebClient`` with its rate-limit retry
handler and ``asyncio.gather``.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bench.common import add_people_on, database, ratio, target
from bot.domain.messages import Outgoing
from bot.serve import Service
from bot.storage.repo import unit
from tests.fake_slack import FakeSlack
from tests.fake_slack_limits import Limit
from tests.fake_slack_state import FakeTeam
from tests.helpers import shipped_catalog
from tests.slack_support import settings_for

WORKSPACE_PER_SECOND = 50


def delivered(fake: FakeSlack, dms: list[str], before: dict[str, int]) -> list[int]:
    return [len(fake.world.messages.get(dm, [])) - before.get(dm, 0) for dm in dms]


def world(fake: FakeSlack, teams: int, each: int) -> list[tuple[FakeTeam, list[str]]]:
    fake.set_rate_limits(channel=Limit(1, 1.0), workspace=Limit(WORKSPACE_PER_SECOND, 1.0))
    found = []
    for t in range(teams):
        team = fake.add_team(f"Kommune {t}")
        users = [fake.add_user(team.id, f"Leder {t}.{n}") for n in range(each)]
        found.append((team, [fake.dm_channel(team.id, u.id) for u in users]))
    return found


def outcome(
    fake: FakeSlack, dms: list[str], before: dict[str, int], started: float, posts_before: int
) -> dict[str, Any]:
    got = delivered(fake, dms, before)
    posts = len(fake.calls_to("chat.postMessage")) - posts_before
    return {
        "sent": len(dms),
        "delivered": sum(min(n, 1) for n in got),
        "lost": sum(1 for n in got if n < 1),
        "duplicated": sum(n - 1 for n in got if n > 1),
        "429s": posts - sum(got),
        "seconds_to_last": round(time.monotonic() - started, 3),
    }


async def until(fake: FakeSlack, dms: list[str], before: dict[str, int], within: float) -> float:
    deadline = time.monotonic() + within
    while sum(min(n, 1) for n in delivered(fake, dms, before)) < len(dms):
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.02)
    finished = time.monotonic()
    await asyncio.sleep(0.3)
    return finished


async def kompis(teams: int, each: int) -> dict[str, Any]:
    async with FakeSlack() as fake:
        found = world(fake, teams, each)
        first = found[0][0]
        with database("sqlite") as url:
            oauth: dict[str, Any] = {
                "SLACK_BOT_TOKEN": None,
                "SLACK_CLIENT_ID": fake.world.client_id,
                "SLACK_CLIENT_SECRET": fake.world.client_secret,
                "slack_channel_per_second": 1.0,
                "slack_workspace_per_second": float(WORKSPACE_PER_SECOND),
                "tick_seconds": 3600,
            }
            settings = settings_for(fake, first, url, **oauth)
            # the real clock, as `kompis run` has: a row given back after a 429 comes due
            # again a second later (a frozen clock kept it waiting past the run's end)
            service = Service(settings, None, shipped_catalog())
            await service.start()
            try:
                from tests.test_slack_oauth import install

                for team, _ in found:
                    done = await install(service, fake, team)
                    assert done.status_code == 200, done.text
                people = []
                for team, dms in found:
                    users = list(team.users)
                    people += await add_people_on(
                        service.db, "slack", users, dms, workspace=team.id
                    )
                dms = [dm for _, d in found for dm in d]
                before = {dm: len(fake.world.messages.get(dm, [])) for dm in dms}
                posts_before = len(fake.calls_to("chat.postMessage"))
                async with unit(service.db) as store:
                    await store.enqueue(
                        [Outgoing(p, "help", {"name": "Leder"}, key=f"b:{p}") for p in people],
                        datetime.now(UTC),
                    )
                started = time.monotonic()
                service.app.delivery.wake()
                finished = await until(fake, dms, before, within=60)
                result = outcome(fake, dms, before, started, posts_before)
                result["seconds_to_last"] = round(finished - started, 3)
                return result
            finally:
                await service.stop()


async def sdk_gather(teams: int, each: int) -> dict[str, Any]:
    async with FakeSlack() as fake:
        found = world(fake, teams, each)
        dms = [dm for _, d in found for dm in d]
        before = {dm: len(fake.world.messages.get(dm, [])) for dm in dms}
        clients = {
            team.id: AsyncWebClient(
                token=team.bot_token,
                base_url=fake.url,
                retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=3)],
            )
            for team, _ in found
        }
        started = time.monotonic()
        results = await asyncio.gather(
            *(
                clients[team.id].chat_postMessage(channel=dm, text="Nytt fra programmet")
                for team, team_dms in found
                for dm in team_dms
            ),
            return_exceptions=True,
        )
        finished = time.monotonic()
        result = outcome(fake, dms, before, started, 0)
        result["seconds_to_last"] = round(finished - started, 3)
        result["errors_raised"] = sum(isinstance(r, Exception) for r in results)
        return result


async def measure(smoke: bool) -> dict[str, Any]:
    teams, each = (2, 10) if smoke else (5, 200)
    peer = await sdk_gather(teams, each)
    mine = await kompis(teams, each)
    ideal = (each - 1) / WORKSPACE_PER_SECOND  # the workspaces are sent to in parallel
    mine["allowed_seconds"] = peer["allowed_seconds"] = round(ideal, 3)
    mine["time_ratio_to_sdk"] = round(ratio(mine["seconds_to_last"], peer["seconds_to_last"]), 3)
    share = mine["429s"] / mine["sent"]
    achieved = ideal / mine["seconds_to_last"] if mine["seconds_to_last"] else 0.0
    return {
        "name": "slack_broadcast",
        "figures": {
            "shape": {
                "workspaces": teams,
                "dms_each": each,
                "workspace_per_s": WORKSPACE_PER_SECOND,
            },
            "kompis_sqlite": mine,
            "slack_sdk_retry_handler_gather": peer,
        },
        "targets": [
            target("allowed time / time taken", achieved, ">= 0.95", achieved >= 0.95),
            target("lost", mine["lost"], "0", mine["lost"] == 0),
            target("duplicated", mine["duplicated"], "0", mine["duplicated"] == 0),
            target("429s / sends", share, "<= 0.005", share <= 0.005),
            target(
                "fewer 429s and no more lost than slack-sdk + gather",
                mine["429s"],
                f"< {peer['429s']} (peer), lost <= {peer['lost']}",
                mine["429s"] < max(peer["429s"], 1) and mine["lost"] <= peer["lost"],
            ),
        ],
    }


def run(smoke: bool = False) -> dict[str, Any]:
    return asyncio.run(measure(smoke))
