"""Which texts are invitations: only what a deep link sends and a typed join code."""

from __future__ import annotations

import pytest

from bot.domain.invites import looks_like_code, new_code, new_token
from bot.domain.messages import Inbound
from bot.features.onboarding import Request, wanted


def said(text: str) -> Request | None:
    return wanted(Inbound("telegram", "1", "1", text=text))


@pytest.mark.parametrize(
    ("text", "request_"),
    [
        ("/start abc_DEF-1", Request("token", "abc_DEF-1")),
        ("/start", Request("token", "")),
        ("/start@KompisBot", Request("token", "")),
        ("join K7QM-4XPD", Request("code", "K7QM-4XPD")),
        ("join k7qm 4xpd", Request("code", "k7qm 4xpd")),
        ("/join nonsense", Request("code", "nonsense")),
        ("join", Request("code", "")),
        ("Start with the users, then the systems.", None),
        ("Join forces with the neighbours", None),
        ("status", None),
    ],
)
def test_what_counts_as_an_invitation(text: str, request_: Request | None) -> None:
    assert said(text) == request_


def test_new_tokens_and_codes_have_the_documented_shape() -> None:
    for _ in range(50):
        token = new_token()
        assert len(token) <= 64 and all(c.isalnum() or c in "_-" for c in token)
        assert looks_like_code(new_code())
