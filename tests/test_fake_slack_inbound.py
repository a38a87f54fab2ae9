"""Signed inbound requests pass slack-sdk's SignatureVerifier (and fail it when stale or
tampered), and a Bolt AsyncApp dispatches them against the fake Web API as Kompis will."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_bolt.async_app import AsyncApp, AsyncSay
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.fake_slack import FakeSlack
from tests.fake_slack_state import FakeTeam
from tests.slack_signing import (
    SignedRequest,
    SlackSigner,
    app_home_opened,
    app_uninstalled,
    message_im,
    tokens_revoked,
)

SECRET = "fake-signing-secret"


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


def all_kinds(team: FakeTeam, user: str, dm: str, signer: SlackSigner) -> list[SignedRequest]:
    view = {"id": "V1", "type": "modal", "callback_id": "reflect", "private_metadata": "m1"}
    return [
        signer.event(team, message_im(user, dm, "hei")),
        signer.event(team, app_home_opened(user, dm)),
        signer.event(team, app_uninstalled()),
        signer.event(team, tokens_revoked([team.bot_user_id])),
        signer.block_actions(team, user, dm, "1.000100", "done", "stage-1"),
        signer.view_submission(team, user, view, {"answer": {"text": "Det gikk bra"}}),
        signer.slash_command(team, user, dm, "/kompis", "status"),
    ]


def test_every_kind_is_signed_as_slack_signs(slack: FakeSlack) -> None:
    team = slack.add_team("Troms")
    kari = slack.add_user(team.id, "Kari")
    dm = slack.dm_channel(team.id, kari.id)
    verifier = SignatureVerifier(SECRET)
    for request in all_kinds(team, kari.id, dm, SlackSigner(SECRET)):
        assert verifier.is_valid_request(request.body, request.headers), request.body
        assert not SignatureVerifier("another-secret").is_valid_request(
            request.body, request.headers
        )
        assert not verifier.is_valid_request(request.body + " ", request.headers)


def test_payload_shapes(slack: FakeSlack) -> None:
    team = slack.add_team("Troms")
    kari = slack.add_user(team.id, "Kari")
    dm = slack.dm_channel(team.id, kari.id)
    event, home, gone, revoked, action, submit, command = all_kinds(
        team, kari.id, dm, SlackSigner(SECRET)
    )
    body = json.loads(event.body)
    assert (body["type"], body["team_id"], body["event"]["channel_type"]) == (
        "event_callback",
        team.id,
        "im",
    )
    assert body["event_id"].startswith("Ev") and event.headers["Content-Type"] == "application/json"
    assert json.loads(home.body)["event"]["tab"] == "home"
    assert json.loads(gone.body)["event"]["type"] == "app_uninstalled"
    assert json.loads(revoked.body)["event"]["tokens"]["bot"] == [team.bot_user_id]
    payload = json.loads(parse_qs(action.body)["payload"][0])
    assert payload["actions"][0]["action_id"] == "done"
    assert payload["container"]["channel_id"] == dm
    state = json.loads(parse_qs(submit.body)["payload"][0])["view"]["state"]["values"]
    assert state["answer"]["text"]["value"] == "Det gikk bra"
    fields = parse_qs(command.body)
    assert (fields["command"], fields["text"], fields["team_id"]) == (
        ["/kompis"],
        ["status"],
        [team.id],
    )


def test_stale_signatures_are_refused_and_retries_marked(slack: FakeSlack) -> None:
    team = slack.add_team("Troms")
    signer = SlackSigner(SECRET)
    verifier = SignatureVerifier(SECRET)
    event = message_im("U1", "D1", "hei")
    assert verifier.is_valid_request(**vars(signer.event(team, event, age=4 * 60)))
    assert not verifier.is_valid_request(**vars(signer.event(team, event, age=6 * 60)))
    first = signer.event(team, event, event_id="Ev1")
    again = signer.event(team, event, event_id="Ev1", retry=(1, "http_timeout"))
    assert json.loads(first.body)["event_id"] == json.loads(again.body)["event_id"]
    assert "X-Slack-Retry-Num" not in first.headers
    assert (again.headers["X-Slack-Retry-Num"], again.headers["X-Slack-Retry-Reason"]) == (
        "1",
        "http_timeout",
    )


def bolt_app(slack: FakeSlack, team: FakeTeam) -> AsyncApp:
    client = AsyncWebClient(token=team.bot_token, base_url=slack.url)
    return AsyncApp(client=client, signing_secret=SECRET)


async def test_bolt_dispatches_a_signed_dm_and_replies_through_the_fake(slack: FakeSlack) -> None:
    team = slack.add_team("Troms")
    kari = slack.add_user(team.id, "Kari")
    dm = slack.dm_channel(team.id, kari.id)
    app = bolt_app(slack, team)
    heard: list[dict[str, Any]] = []

    @app.message("status")
    async def status(message: dict[str, Any], say: AsyncSay) -> None:
        heard.append(message)
        await say(text="Du har to oppgaver", thread_ts=message["ts"])

    signer = SlackSigner(SECRET)
    written = slack.user_writes(team.id, kari.id, "status")
    response = await app.async_dispatch(signer.event(team, written).bolt())
    assert response.status == 200
    [call] = await slack.wait_for("chat.postMessage")
    assert call.ok and call.team_id == team.id
    [question, reply] = slack.received(dm)
    assert (question.user, question.text) == (kari.id, "status")
    assert (reply.text, reply.thread_ts, reply.user) == (
        "Du har to oppgaver",
        written["ts"],
        team.bot_user_id,
    )
    assert [c.method for c in slack.calls] == ["auth.test", "chat.postMessage"]
    assert heard[0]["user"] == kari.id

    stale = signer.event(team, message_im(kari.id, dm, "status"), age=6 * 60)
    assert (await app.async_dispatch(stale.bolt())).status == 401
    assert len(slack.calls_to("chat.postMessage")) == 1


async def test_bolt_opens_and_receives_a_modal_and_answers_a_command(
    slack: FakeSlack,
) -> None:
    team = slack.add_team("Troms")
    kari = slack.add_user(team.id, "Kari")
    dm = slack.dm_channel(team.id, kari.id)
    app = bolt_app(slack, team)
    modal = {
        "type": "modal",
        "callback_id": "reflect",
        "title": {"type": "plain_text", "text": "Refleksjon"},
        "submit": {"type": "plain_text", "text": "Send"},
        "blocks": [
            {
                "type": "input",
                "block_id": "answer",
                "label": {"type": "plain_text", "text": "Hva gikk bra?"},
                "element": {"type": "plain_text_input", "action_id": "text"},
            }
        ],
    }
    submitted: list[dict[str, Any]] = []

    @app.action("reflect")
    async def reflect(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=modal)

    @app.view("reflect")
    async def submit(ack: AsyncAck, view: dict[str, Any]) -> None:
        submitted.append(view["state"]["values"])
        await ack()

    @app.command("/kompis")
    async def command(ack: AsyncAck) -> None:
        await ack(text="Skriv status i DM-en")

    signer = SlackSigner(SECRET)
    press = signer.block_actions(
        team,
        kari.id,
        dm,
        "1.000100",
        "reflect",
        "stage-1",
        trigger_id=slack.trigger(team.id, kari.id),
    )
    assert (await app.async_dispatch(press.bolt())).status == 200
    [call] = await slack.wait_for("views.open")
    assert call.ok and call.response is not None
    opened = slack.view(call.response["view"]["id"])
    assert (opened.user_id, opened.view["title"]["text"]) == (kari.id, "Refleksjon")

    values = {"answer": {"text": "Det gikk bra"}}
    sent = signer.view_submission(team, kari.id, opened.view, values)
    assert (await app.async_dispatch(sent.bolt())).status == 200
    assert submitted == [
        {"answer": {"text": {"type": "plain_text_input", "value": "Det gikk bra"}}}
    ]

    answer = await app.async_dispatch(signer.slash_command(team, kari.id, dm, "/kompis").bolt())
    assert (answer.status, answer.body) == (200, "Skriv status i DM-en")


async def test_bolt_hears_app_uninstalled_without_a_token(slack: FakeSlack) -> None:
    """After uninstalling, the token is dead; Bolt still delivers app_uninstalled (it skips
    auth.test for it), so Kompis can stop sending to that workspace."""
    team = slack.add_team("Troms")
    app = bolt_app(slack, team)
    gone: list[str] = []
    heard = asyncio.Event()

    @app.event("app_uninstalled")
    async def uninstalled(body: dict[str, Any]) -> None:
        gone.append(body["team_id"])
        heard.set()

    slack.uninstall(team.id)
    signer = SlackSigner(SECRET)
    response = await app.async_dispatch(signer.event(team, app_uninstalled()).bolt())
    assert response.status == 200
    async with asyncio.timeout(5):  # Bolt runs the listener after answering Slack
        await heard.wait()
    with pytest.raises(SlackApiError) as caught:
        await slack.client(team.id).auth_test()
    assert caught.value.response["error"] == "account_inactive"
    assert gone == [team.id]
    assert [c.method for c in slack.calls] == ["auth.test"]  # only the test's own call
