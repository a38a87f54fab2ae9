"""The error funnel: whatever fails on the inbound path or in a tick, the caller gets no
exception, the person gets a localised answer, and the log line names the source with
secrets and personal data masked, in the message and in the traceback alike."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.domain.messages import Outgoing
from bot.features.context import Context
from bot.log import RedactSecrets, mask, report_error
from bot.storage.repo import Store, unit
from tests.helpers import Harness


def telegram_token() -> str:
    # assembled at run time, so no token-shaped string sits in the repository
    return "123456789" + ":" + "AA" + "x7" * 17


def slack_token() -> str:
    return "xo" + "xb-" + "1234-5678-" + "abcdEFGH" * 2


async def test_a_token_in_a_handlers_exception_is_masked_and_the_person_gets_an_apology(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    token, other = telegram_token(), slack_token()

    async def broken(_ctx: Context, _argument: str) -> None:
        raise RuntimeError(f"upstream refused token {token} (fallback {other})")

    harness.app.dispatcher.handlers["status"] = broken
    with caplog.at_level(logging.ERROR):
        await harness.say("kari.nordvik", "status", event_id="update-31")
    assert "Beklager, noe gikk galt hos meg" in harness.last("kari.nordvik")
    logged = caplog.text
    assert "inbound failed" in logged and "RuntimeError" in logged
    assert "event=update-31" in logged and "platform=memory" in logged
    assert "Traceback" in logged and "[secret]" in logged
    assert token not in logged and token.split(":")[1] not in logged
    assert other not in logged
    assert "Kari" not in logged and "kari.nordvik@" not in logged  # no personal data


async def test_a_token_in_a_ticks_exception_is_masked_and_the_timer_survives(
    harness: Harness, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = telegram_token()

    async def broken(*_args: Any) -> None:
        raise ConnectionError(f"https://api.telegram.org/bot{token}/sendMessage timed out")

    monkeypatch.setattr(harness.app.reminders, "plan", broken)
    with caplog.at_level(logging.ERROR):
        await harness.app.ticker._plan()  # what the scheduler's job calls; must not raise
    logged = caplog.text
    assert "plan failed" in logged and "ConnectionError" in logged and "[secret]" in logged
    assert token not in logged and token.split(":")[1] not in logged


async def test_a_queued_message_that_cannot_render_does_not_make_handle_raise(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """A reminder with a bad template (here: one that no longer exists) used to escape
    ``Kompis.handle`` from the drain after the reply; now the event is handled, the bad row
    is settled on its own and reported, and the reply still goes out."""
    person = await harness.person_id("kari.nordvik")
    async with unit(harness.app.db) as store:
        await store.enqueue(
            [Outgoing(person, "stage_open", {"module": {"nb": "x"}}, key="bad-reminder")],
            harness.clock.now(),
        )
    with caplog.at_level(logging.ERROR):
        await harness.say("kari.nordvik", "status")
    assert "send failed" in caplog.text and "UnknownTemplate" in caplog.text
    assert "status" in harness.last("kari.nordvik").lower()


async def test_an_error_reply_that_fails_too_is_reported_not_raised(
    harness: Harness, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_database(*_args: Any, **_kwargs: Any) -> int:
        raise OSError("disk I/O error")

    monkeypatch.setattr(Store, "enqueue", no_database)
    with caplog.at_level(logging.ERROR):
        await harness.say("kari.nordvik", "status")
    assert "inbound failed" in caplog.text and "error reply failed" in caplog.text
    assert harness.texts("kari.nordvik") == []  # nothing half-sent


def test_the_log_filter_masks_tracebacks_not_only_messages() -> None:
    """``log.exception`` anywhere (a library's, a platform's) goes through the same masking."""
    import io

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets())
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    token = slack_token()
    try:
        raise ValueError(f"invalid_auth for {token}")
    except ValueError:
        logger.exception("calling Slack failed")
    finally:
        logger.removeHandler(handler)
    assert "ValueError: invalid_auth for [secret]" in stream.getvalue()
    assert token not in stream.getvalue()


def test_mask_hides_tokens_bearer_headers_and_email_addresses() -> None:
    bearer = "Bearer " + "eyJ" + "abc123" * 4
    text = f"{telegram_token()} {bearer} kari.nordvik@tromso.example.org"
    assert mask(text) == "[secret] [secret] [email]"


def test_report_error_never_raises_even_on_a_broken_exception(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Unprintable(Exception):
        def __str__(self) -> str:
            raise RuntimeError("cannot print me")

    with caplog.at_level(logging.ERROR):
        report_error("send", Unprintable(), {"row": 7})
    assert "send failed" in caplog.text


async def test_a_stranger_gets_an_answer_even_when_handling_fails(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_args: Any) -> int | None:
        raise RuntimeError("lookup failed")

    monkeypatch.setattr(Store, "person_for_identity", broken)
    await harness.say("nobody-known", "hei")
    assert "Jeg kjenner deg ikke ennå" in harness.last("nobody-known")
