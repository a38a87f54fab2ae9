"""What tells a planner its copy of a cohort's audience is still current.

``person.version`` is raised by database triggers (migration 0020) on every write that
changes what the planner reads of a person: the person's own columns, their memberships'
roles, completions, chosen labs and identities. ``audience_stamp`` (one row) is raised when
memberships or organisations change (who is in a cohort, their organisation, its group).
With the stamp unchanged the members are the same, and each member's version only grows,
so the sum of their versions changes whenever anything read of them did, whichever process
wrote it (``bot.storage.audience_probe``).
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class AudienceStampRow(SQLModel, table=True):
    __tablename__ = "audience_stamp"
    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(default=0)
