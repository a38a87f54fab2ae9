"""Safe formatting: templates bold, italicise, link and list; each transport renders it for
its platform; nothing a person wrote can become formatting, a link or a mention."""

from __future__ import annotations

import io
from typing import Any

from bot.domain.markup import escape, parse, plain
from bot.domain.messages import Address, Inbound, Outgoing, Rendered, split_text
from bot.rendering.renderer import Renderer
from bot.transports.console import ConsoleTransport
from bot.transports.slack_convert import MAX_TEXT as SLACK_MAX
from bot.transports.slack_convert import blocks, fallback
from bot.transports.telegram import TelegramOptions, TelegramTransport
from bot.transports.telegram_convert import MAX_TEXT as TELEGRAM_MAX
from tests.fake_slack_blocks import block_problems
from tests.fake_telegram import TOKEN, FakeTelegram
from tests.test_telegram_rich import Bindings

EVERY_FORMAT = (
    "**Heading**\nSome _stress_ here, see [the guide](https://example.org/a?b=1&c=2)\n"
    "- one\n- two & <three>"
)
EVIL = "<b>x</b> **x** [a](http://evil) <!channel> *x* _y_ \\*z"


async def _ignore(inbound: Inbound) -> None:
    """Nobody writes in these tests."""


def confirm(answer: str, locale: str = "en") -> Rendered:
    """The reflection confirmation, which quotes the person's answer."""
    params: dict[str, Any] = {"answer": answer, "title": {"en": "T", "nb": "T"}}
    return Renderer().render(Outgoing(1, "reflection_confirm", params), locale)


def test_the_markup_parses_into_spans() -> None:
    heading, middle, one, two = parse(EVERY_FORMAT)
    assert [(s.text, s.bold) for s in heading.spans] == [("Heading", True)]
    assert [(s.text, s.italic, s.url) for s in middle.spans] == [
        ("Some ", False, None),
        ("stress", True, None),
        (" here, see ", False, None),
        ("the guide", False, "https://example.org/a?b=1&c=2"),
    ]
    assert one.bullet and two.bullet and two.spans[0].text == "two & <three>"
    assert plain("**a** [b](ftp://x) _c") == "a [b](ftp://x) _c"  # not a link, no partner


def test_escaped_text_is_always_literal() -> None:
    for text in (EVIL, "[x](https://example.org)", "**", "a\\", "_\\_", "- not a list"):
        (line,) = parse(escape(text))
        assert not line.bullet and len(line.spans) == 1
        span = line.spans[0]
        assert (span.text, span.bold, span.italic, span.url) == (text, False, False, None)
    assert plain(escape("a\n- b")) == "a\n- b" and not parse(escape("a\n- b"))[1].bullet


def test_a_parameter_cannot_format_in_any_template_output() -> None:
    shown = confirm(EVIL)
    assert (
        plain(shown.text)
        == f"Is «{EVIL}» your answer to «T»?\nPress «Yes, save it», or write your answer again."
    )
    assert all(
        not s.bold and not s.italic and s.url is None for ln in parse(shown.text) for s in ln.spans
    )


async def test_telegram_renders_each_format_as_html_and_user_text_literally() -> None:
    async with FakeTelegram(per_second=300) as fake:
        telegram = TelegramTransport(
            TelegramOptions(TOKEN, api_url=fake.api_url, poll_timeout=0.1), Bindings()
        )
        await telegram.start(_ignore)
        try:
            await telegram.send(Address("telegram", "42"), Rendered(EVERY_FORMAT))
            await telegram.send(Address("telegram", "42"), confirm(EVIL))
        finally:
            await telegram.stop()
            await telegram.close()
        formatted, evil = fake.messages[42]
    assert formatted.html == (
        "<b>Heading</b>\nSome <i>stress</i> here, see "
        '<a href="https://example.org/a?b=1&amp;c=2">the guide</a>\n'
        "• one\n• two &amp; &lt;three&gt;"
    )
    assert formatted.text == "Heading\nSome stress here, see the guide\n• one\n• two & <three>"
    assert evil.text.startswith(f"Is «{EVIL}» your answer")  # parsed by the fake: all literal
    assert "<b>" not in evil.html and "<a" not in evil.html


async def test_a_long_formatted_message_splits_into_valid_html_parts() -> None:
    line = (
        "**"
        + "bold words " * 30
        + "end** and _"
        + "slanted " * 20
        + "stop_ [link](https://example.org) & <x>"
    )
    long = " ".join([line] * 30)  # one line of about 17,000 characters: cuts fall between spaces
    parts = split_text(long, TELEGRAM_MAX)
    assert len(parts) > 3
    async with FakeTelegram(per_second=300) as fake:
        telegram = TelegramTransport(
            TelegramOptions(TOKEN, api_url=fake.api_url, poll_timeout=0.1), Bindings()
        )
        await telegram.start(_ignore)
        try:
            for part in parts:  # the fake refuses HTML with a tag cut in half or unclosed
                await telegram.send(Address("telegram", "42"), Rendered(part))
        finally:
            await telegram.stop()
            await telegram.close()
        shown = fake.messages[42]
    assert len(shown) == len(parts)
    assert all(m.html.count("<b>") == m.html.count("</b>") > 0 for m in shown)
    assert " ".join(m.text for m in shown) == plain(long).replace(
        " (https://example.org)", ""
    )  # all there, no marker left


def test_slack_renders_each_format_as_mrkdwn_in_valid_blocks() -> None:
    shown = blocks(Rendered(EVERY_FORMAT), [])
    assert block_problems(shown) == []
    assert shown[0]["text"]["text"] == (
        "*Heading*\nSome _stress_ here, see <https://example.org/a?b=1&amp;c=2|the guide>\n"
        "• one\n• two &amp; &lt;three&gt;"
    )
    text = fallback(Rendered(EVERY_FORMAT))
    assert (
        text == "Heading\nSome stress here, see the guide (https://example.org/a?b=1&amp;c=2)\n"
        "- one\n- two &amp; &lt;three&gt;"
    )


def test_slack_shows_user_text_literally() -> None:
    shown = blocks(confirm(EVIL), [])
    assert block_problems(shown) == []
    mrkdwn = shown[0]["text"]["text"]
    assert "<" not in mrkdwn and "<!channel>" not in fallback(confirm(EVIL))
    for marker in "*_":  # every marker is broken by a zero-width space, so none pairs
        assert all(part.startswith("\u200b") for part in mrkdwn.split(marker)[1:])
    assert mrkdwn.replace("\u200b", "").startswith(
        "Is «&lt;b&gt;x&lt;/b&gt; **x** [a](http://evil) &lt;!channel&gt; *x* _y_ \\*z»"
    )


def test_slack_splits_long_formatted_text_into_sections_that_fit() -> None:
    long = "\n".join(f"- **Item {n}** &&& <<<" + " word" * 60 for n in range(40))
    shown = blocks(Rendered(long), [])
    assert len(shown) > 1 and block_problems(shown) == []
    assert all(len(b["text"]["text"]) <= SLACK_MAX for b in shown)
    assert all(b["text"]["text"].count("*") % 2 == 0 for b in shown)


async def test_console_shows_readable_plain_text() -> None:
    out = io.StringIO()
    console = ConsoleTransport(out=out)
    await console.send(Address("console", "me"), Rendered(EVERY_FORMAT))
    await console.send(Address("console", "me"), confirm(EVIL))
    shown = out.getvalue()
    assert (
        "  Heading\n  Some stress here, see the guide (https://example.org/a?b=1&c=2)\n  - one\n"
        in shown
    )
    assert f"Is «{EVIL}» your answer" in shown


def test_daily_and_status_headings_are_bold() -> None:
    status = Renderer().render(
        Outgoing(
            1,
            "status",
            {
                "today": "2026-12-01",
                "stages": [],
                "overdue": [],
                "next": None,
                "paused_until": None,
                "snoozed_day": None,
                "next_reminder": None,
            },
        ),
        "nb",
    )
    first = parse(status.text)[0]
    assert [s.bold for s in first.spans] == [True] and first.spans[0].text.startswith("Din status")
