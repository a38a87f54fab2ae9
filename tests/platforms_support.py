"""Settings for a Service on both fake platforms at once (a Slack workspace and Telegram)."""

from __future__ import annotations

from bot.settings import Settings
from tests.fake_slack import FakeSlack
from tests.fake_slack_state import FakeTeam
from tests.fake_telegram import FakeTelegram
from tests.slack_support import settings_for as slack_settings
from tests.telegram_support import settings_for as telegram_settings

TELEGRAM_KEYS = {"telegram_token", "telegram_api_url", "telegram_poll_seconds"}


def both_settings(slack: FakeSlack, team: FakeTeam, telegram: FakeTelegram, url: str) -> Settings:
    """The Slack settings for ``team`` with the fake Telegram's token and address added."""
    slack_part = slack_settings(slack, team, url)
    telegram_part = telegram_settings(telegram, url).model_dump(include=TELEGRAM_KEYS)
    return type(slack_part)(**(slack_part.model_dump() | telegram_part))
