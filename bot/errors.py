"""Error types shared across layers."""

from __future__ import annotations

from typing import Any

from bot.domain.messages import Button


class UserError(Exception):
    """Something the person can fix; rendered as the template ``template`` in their language,
    with ``buttons`` for the ways out (the choices, help)."""

    def __init__(self, template: str, buttons: tuple[Button, ...] = (), **params: Any) -> None:
        super().__init__(template)
        self.template = template
        self.buttons = buttons
        self.params = params


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it and says how to fix it."""
