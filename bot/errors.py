"""Error types shared across layers."""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    """Something the person can fix; rendered as the template ``template`` in their language."""

    def __init__(self, template: str, **params: Any) -> None:
        super().__init__(template)
        self.template = template
        self.params = params


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it and says how to fix it."""
