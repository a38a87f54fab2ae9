"""The fake Slack Web API answers the real slack-sdk client as Slack does: the messaging and
people methods Kompis uses, their refusals, every wire format, and injected server errors
(workspaces and OAuth: ``test_fake_slack_workspaces.py``; views: ``test_fake_slack_views.py``;
limits: ``test_fake_slack_limits.py``; inbound requests: ``test_fake_slack_inbound.py``)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.http_retry.builtin_async_handlers import AsyncServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from tests.fake_slack import FakeSlack, refused


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.set_rate_limits(channel=None)  # rate limits have their own tests
        yield fake


async def test_auth_test_names_the_workspace_and_bot(slack: FakeSlack) -> None:
    team = slack.add_team("Troms og Finnmark")
    answer = await slack.client(team.id).auth_test()
    assert (answer["team_id"], answer["user_id"], answer["bot_id"]) == (
        team.id,
        team.bot_user_id,
        team.bot_id,
    )
    [call] = slack.calls
    assert (call.method, call.http_method, call.token) == ("auth.test", "POST", team.bot_token)


async def test_conversations_open_gives_one_stable_dm_per_person(slack: FakeSlack) -> None:
    team = slack.add_team("Troms")
    kari, ola = slack.add_user(team.id, "Kari"), slack.add_user(team.id, "Ola")
    client = slack.client(team.id)
    first = await client.conversations_open(users=kari.id)
    again = await client.conversations_open(users=[kari.id])
    other = await client.conversations_open(users=ola.id, return_im=True)
    assert first["channel"]["id"].startswith("D")
    assert again["channel"]["id"] == first["channel"]["id"] and again["already_open"] is True
    assert other["channel"]["id"] != first["channel"]["id"]
    assert other["channel"]["user"] == ola.id
    assert slack.dm_channel(team.id, kari.id) == first["channel"]["id"]
    assert slack.calls_to("conversations.open")[0].args == {"users": kari.id}  # query string

    assert (await refused(client.conversations_open(users="U404"))).response[
        "error"
    ] == "user_not_found"
    assert (await refused(client.api_call("conversations.open"))).response[
        "error"
    ] == "users_list_not_supplied"
    slack.deactivate_user(team.id, ola.id)
    assert (await refused(client.conversations_open(users=ola.id))).response[
        "error"
    ] == "user_disabled"


async def test_post_message_records_text_blocks_and_thread(slack: FakeSlack) -> None:
    team = slack.add_team("Troms")
    kari = slack.add_user(team.id, "Kari")
    client = slack.client(team.id)
    dm = (await client.conversations_open(users=kari.id))["channel"]["id"]
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Modul 1* er åpen"}}]
    parent = await client.chat_postMessage(channel=dm, text="Modul 1 er åpen", blocks=blocks)
    reply = await client.chat_postMessage(channel=dm, text="Svar her", thread_ts=parent["ts"])
    by_user_id = await client.chat_postMessage(channel=kari.id, text="Hei Kari")

    assert by_user_id["channel"] == dm  # a user id posts into the person's DM
    [first, second, third] = slack.received(dm)
    assert (first.text, first.blocks, first.thread_ts) == ("Modul 1 er åpen", blocks, None)
    assert (second.text, second.thread_ts, second.ts) == ("Svar her", parent["ts"], reply["ts"])
    assert third.text == "Hei Kari" and first.ts < second.ts < third.ts
    assert slack.calls_to("chat.postMessage")[0].content_type == "application/json"

    # thread_ts must be the exact string Slack returned, not a rounded float of it
    near = f"{float(parent['ts']):.4f}"
    error = await refused(client.chat_postMessage(channel=dm, text="x", thread_ts=near))
    assert error.response["error"] == "thread_not_found"
    assert len(slack.received(dm)) == 3


async def test_post_message_refusals(slack: FakeSlack) -> None:
    team, other = slack.add_team("Troms"), slack.add_team("Västerbotten")
    anna = slack.add_user(other.id, "Anna")
    client = slack.client(team.id)
    error = await refused(client.chat_postMessage(channel="C0UNKNOWN", text="x"))
    assert error.response.data == {"ok": False, "error": "channel_not_found"}
    their_dm = slack.dm_channel(other.id, anna.id)
    error = await refused(client.chat_postMessage(channel=their_dm, text="x"))
    assert error.response["error"] == "channel_not_found"
    channel = slack.add_channel(team.id)
    with pytest.warns(UserWarning, match="`text` argument is missing"):
        error = await refused(client.chat_postMessage(channel=channel))
    assert error.response["error"] == "no_text"
    error = await refused(client.chat_postMessage(channel=channel, text="x" * 40_001))
    assert error.response["error"] == "msg_too_long"
    form = client.api_call("chat.postMessage", data={"channel": channel, "blocks": "[{"})
    assert (await refused(form)).response["error"] == "invalid_blocks_format"
    assert slack.received(channel) == [] and slack.received(their_dm) == []


async def test_missing_text_fallback_is_noted_and_form_blocks_accepted(slack: FakeSlack) -> None:
    team = slack.add_team("Troms")
    channel = slack.add_channel(team.id)
    client = slack.client(team.id)
    blocks = [{"type": "section", "text": {"type": "plain_text", "text": "Bare blokker"}}]
    with pytest.warns(UserWarning, match="`text` argument is missing"):
        await client.chat_postMessage(channel=channel, blocks=blocks)
    # form-encoded, blocks as a JSON string (as curl or data= sends them)
    await client.api_call(
        "chat.postMessage",
        data={"channel": channel, "text": "Med tekst", "blocks": json.dumps(blocks)},
    )
    [bare, full] = slack.received(channel)
    assert bare.missing_text_fallback and bare.text is None
    assert not full.missing_text_fallback and full.blocks == blocks
    assert slack.calls_to("chat.postMessage")[1].content_type == "application/x-www-form-urlencoded"


async def test_chat_update_edits_in_place(slack: FakeSlack) -> None:
    team = slack.add_team("Troms")
    kari = slack.add_user(team.id, "Kari")
    channel = slack.dm_channel(team.id, kari.id)
    client = slack.client(team.id)
    posted = await client.chat_postMessage(channel=channel, text="Velg et lab")
    updated = await client.chat_update(channel=channel, ts=posted["ts"], text="Du valgte lab 2")
    assert updated["ts"] == posted["ts"]
    [message] = slack.received(channel)
    assert message.text == "Du valgte lab 2"
    assert message.edits == [{"text": "Velg et lab", "blocks": None}]

    error = await refused(client.chat_update(channel=channel, ts="1.000001", text="x"))
    assert error.response["error"] == "message_not_found"
    theirs = slack.user_writes(team.id, kari.id, "Hei")
    error = await refused(client.chat_update(channel=channel, ts=theirs["ts"], text="x"))
    assert error.response["error"] == "cant_update_message"
    too_long = [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}]
    error = await refused(
        client.chat_update(channel=channel, ts=posted["ts"], text="x", blocks=too_long)
    )
    assert error.response["errors"] == [
        "must be less than 151 characters [json-pointer:/blocks/0/text/text]"
    ]
    assert [m.text for m in slack.received(channel)] == ["Du valgte lab 2", "Hei"]


async def test_every_wire_format_is_accepted(slack: FakeSlack) -> None:
    """Query, form and JSON arguments, the token as a header or an argument, GET or POST."""
    team = slack.add_team("Troms")
    kari = slack.add_user(team.id, "Kari")
    channel = slack.add_channel(team.id)
    token, bearer = team.bot_token, {"Authorization": f"Bearer {team.bot_token}"}
    async with aiohttp.ClientSession() as http:
        asks = [
            http.get(f"{slack.url}users.info", params={"token": token, "user": kari.id}),
            http.post(f"{slack.url}auth.test", data={"token": token}),
            http.post(f"{slack.url}chat.postMessage?channel={channel}&text=q", headers=bearer),
            http.post(
                f"{slack.url}chat.postMessage",
                json={"channel": channel, "text": "j"},
                headers=bearer,
            ),
            http.post(
                f"{slack.url}chat.postMessage",
                data="{no",
                headers=bearer | {"Content-Type": "application/json"},
            ),
        ]
        answers = []
        for ask in asks:
            async with ask as response:
                answers.append((response.status, (await response.json())["ok"]))
    assert answers == [(200, True)] * 4 + [(200, False)]
    assert [m.text for m in slack.received(channel)] == ["q", "j"]
    assert slack.calls[-1].error == "invalid_json"
    assert [c.http_method for c in slack.calls] == ["GET"] + ["POST"] * 4


async def test_post_ephemeral_reaches_only_the_person(slack: FakeSlack) -> None:
    team = slack.add_team("Troms")
    kari, ola = slack.add_user(team.id, "Kari"), slack.add_user(team.id, "Ola")
    dm = slack.dm_channel(team.id, kari.id)
    client = slack.client(team.id)
    answer = await client.chat_postEphemeral(channel=dm, user=kari.id, text="Bare for deg")
    [seen] = slack.ephemerals(dm)
    assert (seen.user, seen.text, seen.message_ts) == (
        kari.id,
        "Bare for deg",
        answer["message_ts"],
    )
    assert slack.received(dm) == []
    error = await refused(client.chat_postEphemeral(channel=dm, user=ola.id, text="x"))
    assert error.response["error"] == "user_not_in_channel"


async def test_users_info_and_lookup_by_email(slack: FakeSlack) -> None:
    team = slack.add_team("Västerbotten")
    anna = slack.add_user(
        team.id, "Anna", email="anna@example.org", locale="sv-SE", tz="Europe/Stockholm"
    )
    client = slack.client(team.id)
    with_locale = await client.users_info(user=anna.id, include_locale=True)
    assert with_locale["user"]["locale"] == "sv-SE"
    assert with_locale["user"]["tz"] == "Europe/Stockholm"
    assert with_locale["user"]["tz_offset"] in (3600, 7200)
    assert slack.calls_to("users.info")[0].http_method == "GET"
    assert "locale" not in (await client.users_info(user=anna.id))["user"]
    assert (await refused(client.users_info(user="U404"))).response["error"] == "user_not_found"

    found = await client.users_lookupByEmail(email="Anna@Example.org")
    assert found["user"]["id"] == anna.id
    missing = client.users_lookupByEmail(email="nobody@example.org")
    assert (await refused(missing)).response["error"] == "users_not_found"


async def test_unknown_method(slack: FakeSlack) -> None:
    team = slack.add_team("Troms")
    error = await refused(slack.client(team.id).api_call("chat.fly"))
    assert error.response["error"] == "unknown_method"


async def test_injected_server_errors(slack: FakeSlack) -> None:
    team = slack.add_team("Troms")
    channel = slack.add_channel(team.id)
    client = slack.client(team.id)
    slack.fail_next(500, method="chat.postMessage")
    error = await refused(client.chat_postMessage(channel=channel, text="tapt"))
    assert (error.response.status_code, error.response["error"]) == (500, "internal_error")
    slack.fail_next(503, html=True)
    error = await refused(client.chat_postMessage(channel=channel, text="tapt"))
    assert error.response.status_code == 503 and error.response.data == {}
    assert slack.received(channel) == []

    # The answer is lost after Slack posted: a client that retries 5xx posts twice.
    slack.fail_next(503, deliver=True)
    retrying = slack.client(
        team.id,
        retry_handlers=[AsyncServerErrorRetryHandler(1, FixedValueRetryIntervalCalculator(0.01))],
    )
    retrying_answer = await retrying.chat_postMessage(channel=channel, text="to ganger")
    assert retrying_answer["ok"]
    assert [m.text for m in slack.received(channel)] == ["to ganger", "to ganger"]
    assert [c.status for c in slack.calls_to("chat.postMessage")][-2:] == [503, 200]
