"""The fake Slack's file upload is as strict as Slack's: announced length, bytes at the
upload URL, completed once into a channel the bot can post in, with the files:write scope."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.fake_slack import FakeSlack, refused


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.set_rate_limits(channel=None)
        yield fake


async def test_files_upload_v2_shares_the_file_in_the_thread(slack: FakeSlack) -> None:
    team = slack.add_team("Troms")
    kari = slack.add_user(team.id, "Kari")
    dm = slack.dm_channel(team.id, kari.id)
    client = slack.client(team.id)
    first = await client.chat_postMessage(channel=dm, text="Her er kalenderen")
    done = await client.files_upload_v2(
        channel=dm, thread_ts=first["ts"], filename="samling.ics", content=b"BEGIN:VCALENDAR"
    )
    (shared,) = slack.files_in(dm)
    assert done["file"]["id"] == shared.id and shared.content == b"BEGIN:VCALENDAR"
    assert shared.thread_ts == first["ts"] and shared.title == "samling.ics"


async def test_file_refusals(slack: FakeSlack) -> None:
    team = slack.add_team("Troms")
    kari = slack.add_user(team.id, "Kari")
    dm = slack.dm_channel(team.id, kari.id)
    client = slack.client(team.id)
    error = await refused(client.files_getUploadURLExternal(filename="a.csv", length=0))
    assert error.response["error"] == "invalid_arguments"
    url = await client.files_getUploadURLExternal(filename="a.csv", length=4)
    files = [{"id": url["file_id"], "title": "a.csv"}]
    # not uploaded yet
    error = await refused(client.files_completeUploadExternal(files=files, channel_id=dm))
    assert error.response["error"] == "file_not_found"
    async with aiohttp.ClientSession() as http, http.post(url["upload_url"], data=b"a;b") as up:
        assert up.status == 200
    error = await refused(client.files_completeUploadExternal(files=files, channel_id=dm))
    assert error.response["error"] == "file_upload_size_mismatch"
    async with aiohttp.ClientSession() as http, http.post(url["upload_url"], data=b"a;b\n"):
        pass
    error = await refused(client.files_completeUploadExternal(files=files, channel_id="C404"))
    assert error.response["error"] == "channel_not_found"
    await client.files_completeUploadExternal(files=files, channel_id=dm)
    error = await refused(client.files_completeUploadExternal(files=files, channel_id=dm))
    assert error.response["error"] == "file_already_completed"
    assert len(slack.files_in(dm)) == 1
    # without the scope, no upload URL
    other = slack.add_team("Alta", scopes=("chat:write",))
    error = await refused(slack.client(other.id).files_getUploadURLExternal(filename="a", length=1))
    assert error.response["error"] == "missing_scope"
