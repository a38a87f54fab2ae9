"""What reaches the relay from each platform: a Slack answer in a thread names its thread,
and a picture or a file (Slack ``file_share``, a Telegram photo or document) is refused
kindly, in the person's language, instead of being dropped in silence."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.domain.messages import Inbound
from bot.transports.slack_convert import message_inbound
from bot.transports.telegram_convert import to_inbound
from tests.helpers import Harness

DM = {"type": "message", "channel_type": "im", "channel": "D1", "user": "U1", "text": "hei"}


def test_a_slack_answer_in_a_thread_replies_to_the_threads_first_message() -> None:
    found = message_inbound(DM | {"ts": "2.000002", "thread_ts": "1.000001"}, "T1", "Ev1")
    assert found is not None and found.reply_to == "1.000001"
    top = message_inbound(DM | {"ts": "1.000001", "thread_ts": "1.000001"}, "T1", "Ev2")
    assert top is not None and top.reply_to is None  # a thread's own first message
    assert message_inbound(DM | {"ts": "3.0"}, "T1", "Ev3").reply_to is None  # type: ignore[union-attr]


def test_a_slack_file_is_media_and_other_subtypes_are_ignored() -> None:
    shared = message_inbound(DM | {"ts": "1.0", "subtype": "file_share", "text": ""}, "T1", "Ev")
    assert shared is not None and shared.media and shared.text == ""
    assert message_inbound(DM | {"ts": "1.0", "subtype": "message_deleted"}, "T1", "Ev") is None
    assert not message_inbound(DM | {"ts": "1.0"}, "T1", "Ev").media  # type: ignore[union-attr]


def _telegram(message: dict[str, Any]) -> Inbound | None:
    chat = {"id": 7001, "type": "private", "first_name": "Kari"}
    user = {"id": 7001, "is_bot": False, "first_name": "Kari", "language_code": "nb"}
    body = {"message_id": 5, "date": 0, "chat": chat, "from": user} | message
    return to_inbound(Update.de_json({"update_id": 1, "message": body}, None), "KompisBot")


def test_a_telegram_photo_or_document_is_media_with_its_caption() -> None:
    photo = _telegram(
        {
            "photo": [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}],
            "caption": "Se!",
        }
    )
    assert photo is not None and photo.media and photo.text == "Se!"
    document = _telegram({"document": {"file_id": "f", "file_unique_id": "u"}})
    assert document is not None and document.media and document.text == ""
    assert _telegram({}) is None  # a service message with nothing in it
    text = _telegram({"text": "hei"})
    assert text is not None and not text.media


async def test_media_gets_a_kind_reply_in_the_persons_language(database_url: str) -> None:
    h = Harness(database_url)
    await h.start()
    try:
        await h.app.handle(Inbound("memory", "anna.lindqvist", "anna.lindqvist", media=True))
        assert "jag kan bara läsa text" in h.last("anna.lindqvist")
        assert "hjälp" in h.last("anna.lindqvist")
        await h.say("kari.nordvik", action="buddy_write")  # no buddy yet
        assert "Du har ingen læringsvenn nå" in h.last("kari.nordvik")
    finally:
        await h.stop()
