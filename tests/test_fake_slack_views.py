"""Modals and the Home tab on the fake Slack, through the real slack-sdk client: a trigger
opens one modal within 3 s, updates obey Slack's hash check, one Home tab per person."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.fake_slack import FakeSlack, refused
from tests.fake_slack_state import ManualClock

MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "reflect",
    "external_id": "reflect-kari-1",
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
HOME: dict[str, Any] = {
    "type": "home",
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Status"}}],
}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def slack(clock: ManualClock) -> AsyncIterator[FakeSlack]:
    async with FakeSlack(clock=clock) as fake:
        yield fake


async def test_a_trigger_opens_one_modal_within_three_seconds(
    slack: FakeSlack, clock: ManualClock
) -> None:
    team = slack.add_team("Troms")
    client = slack.client(team.id)
    trigger = slack.trigger(team.id)
    opened = (await client.views_open(trigger_id=trigger, view=MODAL))["view"]
    assert opened["id"].startswith("V") and opened["callback_id"] == "reflect"
    assert slack.view(opened["id"]).view["title"]["text"] == "Refleksjon"

    again = client.views_open(trigger_id=trigger, view=MODAL)
    assert (await refused(again)).response["error"] == "exchanged_trigger_id"
    late = slack.trigger(team.id)
    clock.advance(3.5)
    expired = client.views_open(trigger_id=late, view=MODAL)
    assert (await refused(expired)).response["error"] == "expired_trigger_id"
    unknown = client.views_open(trigger_id="1.2.3", view=MODAL)
    assert (await refused(unknown)).response["error"] == "invalid_trigger_id"
    other = slack.add_team("Västerbotten")
    theirs = client.views_open(trigger_id=slack.trigger(other.id), view=MODAL)
    assert (await refused(theirs)).response["error"] == "invalid_trigger_id"


async def test_a_bad_modal_is_refused_with_slacks_messages(slack: FakeSlack) -> None:
    team = slack.add_team("Troms")
    client = slack.client(team.id)
    long_title = MODAL | {"title": {"type": "plain_text", "text": "x" * 25}}
    error = await refused(client.views_open(trigger_id=slack.trigger(team.id), view=long_title))
    assert error.response["error"] == "invalid_arguments"
    assert error.response["response_metadata"]["messages"] == [
        "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"
    ]
    no_submit = {k: v for k, v in MODAL.items() if k != "submit"}
    error = await refused(client.views_open(trigger_id=slack.trigger(team.id), view=no_submit))
    assert error.response["error"] == "invalid_arguments"
    assert slack.world.views == {}


async def test_views_update_by_id_or_external_id_under_the_hash(slack: FakeSlack) -> None:
    team = slack.add_team("Troms")
    client = slack.client(team.id)
    opened = (await client.views_open(trigger_id=slack.trigger(team.id), view=MODAL))["view"]
    thanks = MODAL | {"title": {"type": "plain_text", "text": "Takk"}}
    updated = (await client.views_update(view_id=opened["id"], view=thanks, hash=opened["hash"]))[
        "view"
    ]
    assert slack.view(opened["id"]).view["title"]["text"] == "Takk"
    assert updated["hash"] != opened["hash"]
    stale = client.views_update(view_id=opened["id"], view=MODAL, hash=opened["hash"])
    assert (await refused(stale)).response["error"] == "hash_conflict"
    by_external = await client.views_update(external_id="reflect-kari-1", view=MODAL)
    assert by_external["view"]["id"] == opened["id"]
    assert len(slack.view(opened["id"]).history) == 2
    gone = client.views_update(view_id="V404", view=MODAL)
    assert (await refused(gone)).response["error"] == "not_found"
    other = slack.add_team("Västerbotten")
    cross = slack.client(other.id).views_update(view_id=opened["id"], view=MODAL)
    assert (await refused(cross)).response["error"] == "not_found"


async def test_views_publish_keeps_one_home_tab_per_person(slack: FakeSlack) -> None:
    team = slack.add_team("Troms")
    kari = slack.add_user(team.id, "Kari")
    client = slack.client(team.id)
    first = (await client.views_publish(user_id=kari.id, view=HOME))["view"]
    newer = HOME | {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Ny"}}]}
    second = (await client.views_publish(user_id=kari.id, view=newer, hash=first["hash"]))["view"]
    stored = slack.home(team.id, kari.id)
    assert stored is not None and stored.id == first["id"] == second["id"]
    assert stored.view["blocks"] == newer["blocks"]
    stale = client.views_publish(user_id=kari.id, view=HOME, hash=first["hash"])
    assert (await refused(stale)).response["error"] == "hash_conflict"
    as_modal = client.views_publish(user_id=kari.id, view=MODAL)
    assert (await refused(as_modal)).response["error"] == "invalid_arguments"
    stranger = client.views_publish(user_id="U404", view=HOME)
    assert (await refused(stranger)).response["error"] == "invalid_arguments"
