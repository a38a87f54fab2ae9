"""The fake refuses what Slack refuses (Block Kit limits) and answers 429 with Retry-After over
its rate limits, as the real slack-sdk client sees it, with and without its retry handler."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.errors import SlackApiError, SlackObjectFormationError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, SectionBlock

from tests.fake_slack import FakeSlack
from tests.fake_slack_blocks import BLOCK_TYPES, block_problems, view_problems
from tests.fake_slack_limits import Limit
from tests.fake_slack_state import ManualClock


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(clock=ManualClock()) as fake:
        yield fake


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(text: str = "Ferdig", value: str = "done", action_id: str = "done") -> dict[str, Any]:
    element = {"type": "button", "text": {"type": "plain_text", "text": text}}
    return {"type": "actions", "elements": [element | {"value": value, "action_id": action_id}]}


async def post_blocks(slack: FakeSlack, blocks: list[dict[str, Any]]) -> list[str] | None:
    """None if Slack would take the message, else its problem messages."""
    team = slack.add_team("Troms")
    channel = slack.add_channel(team.id)
    try:
        await slack.client(team.id).chat_postMessage(channel=channel, text="tekst", blocks=blocks)
    except SlackApiError as error:
        assert error.response["error"] == "invalid_blocks"
        assert slack.received(channel) == []
        return list(error.response["errors"])
    assert [m.blocks for m in slack.received(channel)] == [blocks]
    return None


@pytest.mark.parametrize(
    ("blocks", "problem"),
    [
        ([section(f"{i}") for i in range(50)], None),
        (
            [section(f"{i}") for i in range(51)],
            "no more than 50 items allowed [json-pointer:/blocks]",
        ),
        ([section("x" * 3000)], None),
        (
            [section("x" * 3001)],
            "must be less than 3001 characters [json-pointer:/blocks/0/text/text]",
        ),
        ([button(text="x" * 75)], None),
        (
            [button(text="x" * 76)],
            "must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]",
        ),
        ([button(value="v" * 2000)], None),
        (
            [button(value="v" * 2001)],
            "must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]",
        ),
        ([button(action_id="a" * 255)], None),
        (
            [button(action_id="a" * 256)],
            "must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]",
        ),
        (
            [button(), button()],
            "duplicate action_id [json-pointer:/blocks/1/elements/0/action_id]",
        ),
        ([{"type": "carousel"}], "unsupported type [json-pointer:/blocks/0/type]"),
    ],
)
async def test_block_kit_limits(
    slack: FakeSlack, blocks: list[dict[str, Any]], problem: str | None
) -> None:
    assert await post_blocks(slack, blocks) == (None if problem is None else [problem])


@pytest.mark.parametrize(
    "build",
    [
        lambda: SectionBlock(text="x" * 3001),
        lambda: ButtonElement(text="x" * 76, action_id="a"),
        lambda: ButtonElement(text="ok", action_id="a", value="v" * 2001),
        lambda: ButtonElement(text="ok", action_id="a" * 256),
        lambda: ActionsBlock(
            elements=[ButtonElement(text="ok", action_id=f"{i}") for i in range(26)]
        ),
    ],
)
def test_the_limits_match_slack_sdk_models(build: Any) -> None:
    """slack-sdk's own Block Kit models refuse the same sizes the fake refuses."""
    with pytest.raises(SlackObjectFormationError):
        build().validate_json()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["type", "text", "elements", "fields", "options", "action_id", "value"]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)
BLOCKISH = st.lists(
    st.fixed_dictionaries(
        {"type": st.sampled_from(sorted(BLOCK_TYPES))},
        optional={
            "text": JSON,
            "elements": JSON,
            "fields": JSON,
            "accessory": JSON,
            "label": JSON,
            "element": JSON,
        },
    ),
    max_size=4,
)


@settings(max_examples=60, deadline=None)
@given(st.one_of(JSON, BLOCKISH))
def test_any_json_gets_problems_not_a_crash(value: Any) -> None:
    """Whatever a client sends as blocks or a view, the fake answers with Slack-style
    problems (it never turns a malformed payload into a 500 of its own)."""
    for problem in block_problems(value) + view_problems({"type": "modal", "blocks": value}):
        assert problem.endswith("]") and "[json-pointer:/" in problem


async def test_a_view_takes_100_blocks_not_101(slack: FakeSlack) -> None:
    team = slack.add_team("Troms")
    user = slack.add_user(team.id, "Kari")
    client = slack.client(team.id)
    home: dict[str, Any] = {"type": "home", "blocks": [section(f"{i}") for i in range(100)]}
    await client.views_publish(user_id=user.id, view=home)
    with pytest.raises(SlackApiError) as caught:
        await client.views_publish(user_id=user.id, view=home | {"blocks": home["blocks"] * 2})
    assert caught.value.response["response_metadata"]["messages"] == [
        "[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]"
    ]


async def test_one_message_per_second_per_channel() -> None:
    clock = ManualClock()
    async with FakeSlack(clock=clock) as slack:
        team = slack.add_team("Troms")
        first, second = slack.add_channel(team.id), slack.add_channel(team.id)
        client = slack.client(team.id)
        await client.chat_postMessage(channel=first, text="1")
        await client.chat_postMessage(channel=second, text="annen kanal")
        with pytest.raises(SlackApiError) as caught:
            await client.chat_postMessage(channel=first, text="for fort")
        response = caught.value.response
        assert (response.status_code, response.data) == (429, {"ok": False, "error": "ratelimited"})
        assert response.headers["Retry-After"] == "1"
        clock.advance(0.999)
        with pytest.raises(SlackApiError):
            await client.chat_postMessage(channel=first, text="fortsatt for fort")
        clock.advance(0.001)
        await client.chat_postMessage(channel=first, text="2")
        assert [m.text for m in slack.received(first)] == ["1", "2"]
        assert [c.status for c in slack.calls_to("chat.postMessage")] == [200, 200, 429, 429, 200]


async def test_workspace_and_method_limits_are_per_team() -> None:
    clock = ManualClock()
    async with FakeSlack(clock=clock) as slack:
        slack.set_rate_limits(
            channel=None,
            workspace=Limit(3, 1.0),
            methods={"conversations.open": Limit(2, 60.0)},
        )
        troms, vb = slack.add_team("Troms"), slack.add_team("Västerbotten")
        a, b = slack.client(troms.id), slack.client(vb.id)
        channels = [slack.add_channel(troms.id) for _ in range(4)]
        for channel in channels[:3]:
            await a.chat_postMessage(channel=channel, text="x")
        with pytest.raises(SlackApiError) as caught:
            await a.chat_postMessage(channel=channels[3], text="x")
        assert caught.value.response.status_code == 429
        await b.chat_postMessage(channel=slack.add_channel(vb.id), text="egen kvote")

        people = [slack.add_user(troms.id, f"P{i}") for i in range(3)]
        await a.conversations_open(users=people[0].id)
        clock.advance(10)
        await a.conversations_open(users=people[1].id)
        with pytest.raises(SlackApiError) as caught:
            await a.conversations_open(users=people[2].id)
        assert caught.value.response.headers["Retry-After"] == "50"
        await b.conversations_open(users=slack.add_user(vb.id, "Anna").id)


async def test_the_sdk_retry_handler_waits_out_a_429() -> None:
    """With slack-sdk's AsyncRateLimitErrorRetryHandler (real time: it sleeps Retry-After plus
    up to 1 s), the second message arrives after the window; without it the call raises."""
    async with FakeSlack() as slack:
        team = slack.add_team("Troms")
        channel = slack.add_channel(team.id)
        client = slack.client(team.id, retry_handlers=[AsyncRateLimitErrorRetryHandler(2)])
        started = time.monotonic()
        await client.chat_postMessage(channel=channel, text="1")
        await client.chat_postMessage(channel=channel, text="2")
        elapsed = time.monotonic() - started
        assert 1.0 <= elapsed < 5.0  # Retry-After (1 s) plus up to 1 s of jitter
        assert [m.text for m in slack.received(channel)] == ["1", "2"]
        assert [c.status for c in slack.calls_to("chat.postMessage")] == [200, 429, 200]
