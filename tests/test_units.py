"""Small pure pieces: splitting, participant CSVs, settings, the command parser."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.curriculum.participants import parse_participants
from bot.domain.messages import split_text
from bot.domain.people import Role
from bot.errors import ConfigError
from bot.features.commands import parse_text
from bot.settings import load_settings
from tests.helpers import shipped_catalog


@given(text=st.text(min_size=0, max_size=3000), limit=st.integers(min_value=1, max_value=500))
def test_split_respects_the_limit_and_keeps_every_word(text: str, limit: int) -> None:
    parts = split_text(text, limit)
    assert all(len(part) <= limit for part in parts)
    assert "".join(text.split()) == "".join("".join(parts).split())


def test_split_ends_when_the_cut_is_one_character_before_a_dash() -> None:
    """Found by hypothesis: the escape put before a "-" in the middle of a line undid a cut
    of one character, and the split never ended."""
    text = "\n_)\\ ([ )-]\n([-*_]b\nb*](_[ "
    parts = split_text(text, 1)
    assert all(len(part) <= 1 for part in parts)
    assert "".join(text.split()) == "".join("".join(parts).split())


def test_split_prefers_paragraphs() -> None:
    text = "a" * 50 + "\n\n" + "b" * 50
    assert split_text(text, 80) == ["a" * 50, "b" * 50]


def test_excel_csv_with_bom_and_semicolons() -> None:
    cohort = shipped_catalog().cohort("demo")
    text = (
        "\ufeffName;E-mail;Organisation;Role;Locale\n".replace("E-mail", "email")
        + "Kari Test;kari@example.org;tromso;participant+coordinator;nn\n\n"
    )
    rows, problems = parse_participants(text, cohort, "people.csv")
    assert problems == []
    assert rows[0].roles == {Role.PARTICIPANT, Role.COORDINATOR} and rows[0].locale == "nn"


def test_csv_problems_name_row_and_field_and_nothing_is_returned() -> None:
    cohort = shipped_catalog().cohort("demo")
    text = (
        "name,email,organisation,role\nA,a@example.org,tromso,\n"
        "B,b@example.org,bergen,boss\nC,a@example.org,alta,\n"
    )
    rows, problems = parse_participants(text, cohort, "people.csv")
    assert rows == []
    assert [str(p) for p in problems] == [
        "people.csv: row 3.organisation: 'bergen' is not an organisation of cohort demo "
        "(use an id from the schedule's organisations)",
        "people.csv: row 3.role: unknown role 'boss' (use participant, coordinator or organiser)",
        "people.csv: row 4.email: a@example.org is also on row 2 (list each person once)",
    ]


def test_malformed_setting_is_one_line_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOMPIS_HTTP_PORT", "eighty")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert str(info.value).startswith("setting KOMPIS_HTTP_PORT:")
    assert "\n" not in str(info.value)


def test_secrets_are_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = "xo" + "xb-0000-fake"  # assembled, so no token-shaped string sits in the repository
    monkeypatch.setenv("SLACK_BOT_TOKEN", fake)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "fake-signing-secret")
    settings = load_settings()
    assert fake not in repr(settings) and "0000-fake" not in repr(settings)
    assert settings.transports_configured() == ["slack"]


@pytest.mark.parametrize(
    ("text", "name", "argument"),
    [
        ("status", "status", ""),
        ("/status@KompisBot", "status", ""),
        ("Hjälp", "help", ""),
        ("språk sv", "language", "sv"),
        ("/nonsense", "unknown", "nonsense"),
    ],
)
def test_parse_text(text: str, name: str, argument: str) -> None:
    command = parse_text(text)
    assert command is not None and (command.name, command.argument) == (name, argument)


def test_free_text_is_not_a_command() -> None:
    assert parse_text("Vi digitaliserte byggesaker") is None


def test_log_lines_mask_anything_shaped_like_a_token() -> None:
    import logging

    from bot.log import RedactSecrets

    slack = "xo" + "xb-1234-abcd"
    telegram = "123456789:" + "A" * 35
    record = logging.LogRecord(
        "t", logging.INFO, __file__, 1, "tokens %s and %s", (slack, telegram), None
    )
    assert RedactSecrets().filter(record)
    assert record.getMessage() == "tokens [secret] and [secret]"
