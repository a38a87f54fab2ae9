"""The schedule's ``buddies:`` block: when rounds of learning buddies are made and what the
pairing prefers (weights of the soft preferences; the hard rules are not configurable).

    buddies:
      rounds: module          # programme: one buddy for the whole programme; module: a new
                              # one at each module's opening
      weights: {same_group: 3, language: 4, role_mix: 1, size_mix: 1}
      size_bands: [10000, 50000]   # inhabitants: small < 10,000 <= medium < 50,000 <= large
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from bot.domain.programme import Strict


class RoundKind(StrEnum):
    PROGRAMME = "programme"
    MODULE = "module"


class BuddyWeights(Strict):
    """How much each preference counts when two people are paired (0 switches it off)."""

    same_group: float = Field(default=3.0, ge=0, le=100)  # they meet on the same gathering day
    language: float = Field(default=4.0, ge=0, le=100)  # a language both write
    role_mix: float = Field(default=1.0, ge=0, le=100)  # different roles (say, a coordinator)
    size_mix: float = Field(default=1.0, ge=0, le=100)  # organisations of different size


class BuddyPolicy(Strict):
    rounds: RoundKind = RoundKind.PROGRAMME
    weights: BuddyWeights = Field(default_factory=BuddyWeights)
    #: Inhabitants where one size class ends and the next begins, ascending.
    size_bands: list[int] = Field(default_factory=lambda: [10_000, 50_000])

    def size_class(self, kind: str, size: int | None) -> str | None:
        """An organisation's size class: its band when its size is known, its kind when it
        is not a municipality (a county or region is "different" from any municipality),
        else unknown (no preference either way)."""
        if size is not None:
            band = sum(1 for limit in self.size_bands if size >= limit)
            return f"band-{band}"
        return None if kind == "municipality" else kind
