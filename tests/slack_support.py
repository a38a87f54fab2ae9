"""Running `kompis run`'s own composition (``bot.serve.Service``) against the fake Slack,
with signed requests POSTed to its HTTP server as Slack would."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, urlencode

import httpx

from bot.domain.clock import FakeClock
from bot.invites import issue
from bot.serve import Service
from bot.settings import Settings
from tests.fake_slack import FakeSlack
from tests.fake_slack_state import FakeTeam, Posted
from tests.helpers import shipped_catalog
from tests.slack_signing import FORM, SignedRequest, SlackSigner

SECRET = "kompis-test-signing-secret"


def settings_for(fake: FakeSlack, team: FakeTeam, database_url: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "SLACK_BOT_TOKEN": team.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "slack_api_url": fake.url,
        "http_port": 0,
        # the fake's per-channel limit is off unless a test sets one; the budget matches
        "slack_channel_per_second": 50.0,
        "slack_workspace_per_second": 100.0,
    }
    values.update(extra)
    return Settings(**values)


@asynccontextmanager
async def running(
    fake: FakeSlack,
    team: FakeTeam,
    database_url: str,
    clock: FakeClock | None = None,
    **extra: Any,
) -> AsyncIterator[Service]:
    service = Service(settings_for(fake, team, database_url, **extra), clock, shipped_catalog())
    await service.start()
    try:
        yield service
    finally:
        await service.stop()


async def post(service: Service, request: SignedRequest) -> httpx.Response:
    """POST a signed request to ``/slack/events`` of the running service."""
    async with httpx.AsyncClient() as client:
        return await client.post(
            f"http://127.0.0.1:{service.port}/slack/events",
            content=request.body.encode(),
            headers=request.headers,
        )


def press(
    signer: SlackSigner,
    team: FakeTeam,
    user_id: str,
    message: Posted,
    label: str,
    trigger_id: str = "",
) -> SignedRequest:
    """The ``block_actions`` Slack sends when ``user_id`` presses the button whose label
    contains ``label``, with the pressed message's content as Slack includes it."""
    for block in message.blocks or []:
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            if label.lower() in element["text"]["text"].lower():
                base = signer.block_actions(
                    team,
                    user_id,
                    message.channel,
                    message.ts,
                    element["action_id"],
                    element["value"],
                    trigger_id=trigger_id,
                )
                payload = json.loads(parse_qs(base.body)["payload"][0])
                payload["actions"][0]["text"] = element["text"]
                payload["message"] |= {"text": message.text, "blocks": message.blocks}
                return signer.sign(urlencode({"payload": json.dumps(payload)}), FORM)
    raise AssertionError(f"no button {label!r} in {message.blocks}")


async def join_codes(service: Service, clock: FakeClock, cohort: str = "demo") -> dict[str, str]:
    """Issue invitations as `kompis invites` does; e-mail -> join code."""
    lines = await issue(service.settings, shipped_catalog(), cohort, "KompisTestBot", clock)
    return {line.email: line.join_code for line in lines}


def from_kompis(fake: FakeSlack, channel: str) -> list[Posted]:
    """What Kompis posted in a channel (not what the person wrote there)."""
    bots = {team.bot_user_id for team in fake.world.teams.values()}
    return [m for m in fake.received(channel) if m.user in bots]


def texts(fake: FakeSlack, channel: str) -> list[str]:
    return [m.text or "" for m in from_kompis(fake, channel)]


async def count(fake: FakeSlack, channel: str, n: int) -> None:
    """Wait until Kompis has posted ``n`` messages in ``channel``."""
    while len(from_kompis(fake, channel)) < n:
        await fake.wait_for("chat.postMessage", len(fake.calls_to("chat.postMessage")) + 1)
