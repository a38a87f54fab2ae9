"""Platform limits that content must respect, kept in one place (see platform-facts.md)."""

from __future__ import annotations

#: Longest text per field name, in characters. Titles appear on buttons (Slack: 75 characters
#: with a short prefix); everything else must fit one Slack section (3000) and stay readable.
TEXT: dict[str, int] = {
    "title": 60,
    "text": 300,  # a Telegram quiz question
    "options": 100,  # a quiz option
    "explanation": 200,  # a Telegram quiz explanation
    "scale": 60,
    "default": 2000,
}

QUIZ = {"min_options": 2, "max_options": 10, "explanation_line_feeds": 2}

TELEGRAM_TEXT = 4096
SLACK_SECTION = 3000
SLACK_BUTTON_TEXT = 75
CALLBACK_DATA_BYTES = 64
