"""Workspaces on the fake Slack, through the real slack-sdk client: tokens belong to one team,
revoked and uninstalled ones are refused as Slack refuses them, OAuth hands out a team's bot
token, and one workspace never sees another's people or channels."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.fake_slack import FakeSlack, refused


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.set_rate_limits(channel=None)  # rate limits have their own tests
        yield fake


async def exchange(slack: FakeSlack, code: str, secret: str | None = None) -> SlackApiError | str:
    """``oauth.v2.access`` through slack-sdk: the bot token, or the error. slack-sdk 3.48 sends
    the client credentials with aiohttp's ``BasicAuth``, which aiohttp 3.14 deprecates."""
    client = AsyncWebClient(base_url=slack.url)
    world = slack.world
    with pytest.warns(DeprecationWarning, match="BasicAuth is deprecated"):
        try:
            answer = await client.oauth_v2_access(
                client_id=world.client_id,
                client_secret=world.client_secret if secret is None else secret,
                code=code,
            )
        except SlackApiError as error:
            return error
    return str(answer["access_token"])


async def test_bad_missing_revoked_and_uninstalled_tokens(slack: FakeSlack) -> None:
    team = slack.add_team("Troms")
    error = await refused(AsyncWebClient(token="xoxb-nobody", base_url=slack.url).auth_test())
    assert (error.response.status_code, error.response.data) == (
        200,
        {"ok": False, "error": "invalid_auth"},
    )
    error = await refused(AsyncWebClient(base_url=slack.url).auth_test())
    assert error.response["error"] == "not_authed"

    slack.revoke_token(team.bot_token)
    assert (await refused(slack.client(team.id).auth_test())).response["error"] == "invalid_auth"
    slack.revoke_token(team.bot_token, "token_revoked")
    assert (await refused(slack.client(team.id).auth_test())).response["error"] == "token_revoked"

    other = slack.add_team("Västerbotten")
    old_token = other.bot_token
    slack.uninstall(other.id)
    error = await refused(slack.client(other.id).chat_postMessage(channel="C1", text="x"))
    assert error.response["error"] == "account_inactive"

    # Reinstalling through OAuth hands out a new token; the old one stays dead.
    token = await exchange(slack, slack.oauth_code(other.id))
    assert isinstance(token, str) and token != old_token
    assert (await AsyncWebClient(token=token, base_url=slack.url).auth_test())[
        "team_id"
    ] == other.id
    bad = AsyncWebClient(token=old_token, base_url=slack.url).auth_test()
    assert (await refused(bad)).response["error"] == "account_inactive"


async def test_two_workspaces_are_isolated(slack: FakeSlack) -> None:
    troms, vb = slack.add_team("Troms"), slack.add_team("Västerbotten")
    kari = slack.add_user(troms.id, "Kari", email="leder@example.org", locale="nb-NO")
    anna = slack.add_user(vb.id, "Anna", email="leder@example.org", locale="sv-SE")
    a, b = slack.client(troms.id), slack.client(vb.id)
    assert (await a.users_lookupByEmail(email="leder@example.org"))["user"]["id"] == kari.id
    assert (await b.users_lookupByEmail(email="leder@example.org"))["user"]["id"] == anna.id
    assert (await refused(a.users_info(user=anna.id))).response["error"] == "user_not_found"
    assert (await refused(a.conversations_open(users=anna.id))).response[
        "error"
    ] == "user_not_found"
    anna_dm = (await b.conversations_open(users=anna.id))["channel"]["id"]
    error = await refused(a.chat_postMessage(channel=anna_dm, text="feil arbeidsområde"))
    assert error.response["error"] == "channel_not_found"
    await b.chat_postMessage(channel=anna_dm, text="Hej Anna")
    assert [m.text for m in slack.received(anna_dm)] == ["Hej Anna"]
    assert {c.team_id for c in slack.calls if c.ok} == {troms.id, vb.id}


async def test_oauth_exchanges_a_code_once_for_the_team_token(slack: FakeSlack) -> None:
    team = slack.add_team("Troms")
    code = slack.oauth_code(team.id)
    assert await exchange(slack, code) == team.bot_token
    [call] = slack.calls_to("oauth.v2.access")
    assert call.response is not None and call.response["team"]["id"] == team.id
    assert "chat:write" in call.response["scope"].split(",")
    assert call.response["token_type"] == "bot"
    again = await exchange(slack, code)
    assert isinstance(again, SlackApiError) and again.response["error"] == "invalid_code"
    wrong = await exchange(slack, slack.oauth_code(team.id), secret="nope")
    assert isinstance(wrong, SlackApiError) and wrong.response["error"] == "bad_client_secret"

    # Credentials in the form body (no BasicAuth) are accepted too, as Slack accepts them.
    form = AsyncWebClient(base_url=slack.url).api_call(
        "oauth.v2.access",
        data={"client_id": "9.9", "client_secret": "x", "code": slack.oauth_code(team.id)},
    )
    assert (await refused(form)).response.data == {"ok": False, "error": "invalid_client_id"}
