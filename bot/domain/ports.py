"""The storage port the features depend on; bot.storage.repo.Store implements it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from bot.domain.buddies import BuddyGroup
from bot.domain.conversation import Conversation
from bot.domain.invites import Invite
from bot.domain.messages import Outgoing
from bot.domain.people import Channel, Person, Unreachable, Visibility


class StorePort(Protocol):
    async def person(
        self, person_id: int, cohort_id: str | None = None, at: datetime | None = None
    ) -> Person | None: ...

    async def people_in_cohort(self, cohort_id: str) -> list[Person]: ...

    async def organisation_groups(self, cohort_id: str) -> dict[str, str | None]: ...

    async def update_person(self, person_id: int, **values: Any) -> None: ...

    async def mark_done(
        self, person_id: int, activity_ref: str, source: str, now: datetime
    ) -> bool: ...

    async def completed(self, person_ids: Iterable[int]) -> dict[int, set[str]]: ...

    async def cohort_completions(self, cohort_id: str) -> dict[int, set[str]]: ...

    async def unreachable_in_cohort(self, cohort_id: str) -> set[int]: ...

    async def audience_version(self, cohort_id: str) -> tuple[int, int, int]: ...

    async def audience_versions(self) -> dict[str, tuple[int, int, int]]: ...

    async def save_reflection(
        self,
        person: Person,
        activity_ref: str,
        text: str,
        now: datetime,
        visibility: Visibility | None = None,
    ) -> bool: ...

    async def enqueue(
        self,
        items: Iterable[Outgoing],
        now: datetime,
        not_before: datetime | None = None,
        late: bool = False,
    ) -> int: ...

    async def choose_lab(self, person_id: int, lab_id: str, now: datetime) -> bool: ...

    async def drop_lab(self, person_id: int, lab_id: str) -> bool: ...

    async def save_survey(
        self, person: Person, activity_ref: str, value: int, now: datetime
    ) -> None: ...

    async def unreachable_people(
        self, cohort_id: str, organisation: str | None = None
    ) -> list[Unreachable]: ...

    async def planned_until(self, cohort_id: str) -> datetime | None: ...

    async def planned_untils(self, cohort_ids: list[str]) -> dict[str, datetime | None]: ...

    async def set_planned_until(self, cohort_id: str, moment: datetime) -> None: ...

    async def set_planned_untils(self, moments: dict[str, datetime]) -> None: ...

    async def survey_answers(self, person_id: int) -> dict[str, int]: ...

    async def conversation(self, person_id: int) -> Conversation | None: ...

    async def set_conversation(
        self, person_id: int, kind: str, now: datetime, data: dict[str, Any] | None = None
    ) -> None: ...

    async def clear_conversation(self, person_id: int, kind: str | None = None) -> bool: ...

    async def workspace_cohort(self, platform: str, workspace: str) -> str | None: ...

    # planned reminders of one person (bot.features.compose: resume, a stage's "tomorrow")
    async def queued_reminders(
        self,
        person_id: int,
        due_by: datetime | None = None,
        exclude: int | None = None,
        kinds: tuple[str, ...] = ("reminder",),
    ) -> list[Any]: ...

    async def planned_sent_since(
        self, person_id: int, since: datetime, kinds: tuple[str, ...]
    ) -> bool: ...

    async def defer(self, outbox_id: int, not_before: datetime) -> None: ...


class OnboardingPort(StorePort, Protocol):
    """What onboarding needs beyond the features' port: invitations and identities."""

    async def invite_by_hash(
        self, *, token_hash: str = "", code_hash: str = ""
    ) -> Invite | None: ...

    async def use_invite(self, invite_id: int, now: datetime) -> bool: ...

    async def person_for_identity(
        self, platform: str, external_id: str, workspace: str = ""
    ) -> int | None: ...

    async def link_identity(
        self,
        person_id: int,
        platform: str,
        external_id: str,
        chat_id: str,
        now: datetime,
        workspace: str = "",
    ) -> None: ...


class ChannelPort(StorePort, Protocol):
    """What the ``channel`` command needs: a person's accounts, and choosing one."""

    async def channels(self, person_id: int) -> list[Channel]: ...

    async def choose_channel(self, person_id: int, identity_id: int, now: datetime) -> bool: ...


class BuddyPort(StorePort, Protocol):
    """What buddy features need: the groups of a cohort and a person's buddies."""

    async def save_buddy_groups(
        self, cohort_id: str, round_: int, groups: Iterable[Iterable[int]], now: datetime
    ) -> list[BuddyGroup]: ...

    async def buddy_groups(
        self, cohort_id: str, round_: int | None = None, open_only: bool = False
    ) -> list[BuddyGroup]: ...

    async def buddy_group_of(self, person_id: int, cohort_id: str) -> BuddyGroup | None: ...

    async def current_buddies(self, person_id: int, cohort_id: str) -> list[int]: ...

    async def end_buddy_group(self, group_id: int, now: datetime, reason: str) -> None: ...
