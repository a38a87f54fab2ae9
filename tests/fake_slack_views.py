"""``views.open``, ``views.update`` and ``views.publish`` of the fake Slack: modals opened
with a fresh ``trigger_id`` (once, within 3 s), updated by id or external id under Slack's
``hash`` check, and one Home tab per person."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.fake_slack_blocks import view_problems
from tests.fake_slack_state import FakeTeam, FakeView, Ids, Refusal, decoded

TRIGGER_SECONDS = 3.0  # a trigger_id opens a modal within 3 s, once


class ViewMethods:
    """Mixed into ``World`` (``tests/fake_slack_methods.py``), which owns this state."""

    clock: Callable[[], float]
    ids: Ids
    views: dict[str, FakeView]
    homes: dict[tuple[str, str], str]  # (team, user) -> view id
    triggers: dict[str, tuple[str, str, float]]  # id -> (team, user, issued at; -1 once used)

    def views_open(self, team: FakeTeam, a: dict[str, Any]) -> dict[str, Any]:
        trigger = str(a.get("trigger_id") or "")
        issued = self.triggers.get(trigger)
        if issued is None or issued[0] != team.id:
            raise Refusal("invalid_trigger_id")
        _, user_id, issued_at = issued
        if issued_at < 0:
            raise Refusal("exchanged_trigger_id")
        if self.clock() - issued_at > TRIGGER_SECONDS:
            raise Refusal("expired_trigger_id")
        view = self._checked_view(a, "modal")
        self.triggers[trigger] = (team.id, user_id, -1.0)
        return {"ok": True, "view": self._store_view(team, user_id, view).view}

    def views_update(self, team: FakeTeam, a: dict[str, Any]) -> dict[str, Any]:
        stored = self._find_view(team, a.get("view_id"), a.get("external_id"))
        view = self._checked_view(a, stored.view["type"])
        if a.get("hash") and a["hash"] != stored.hash:
            raise Refusal("hash_conflict")
        return {"ok": True, "view": self._store_view(team, stored.user_id, view, stored).view}

    def views_publish(self, team: FakeTeam, a: dict[str, Any]) -> dict[str, Any]:
        user = team.users.get(str(a.get("user_id")))
        if user is None:
            raise Refusal("invalid_arguments", ["user_id is not in this workspace"])
        view = self._checked_view(a, "home")
        existing = self.views.get(self.homes.get((team.id, user.id), ""))
        if existing is not None and a.get("hash") and a["hash"] != existing.hash:
            raise Refusal("hash_conflict")
        stored = self._store_view(team, user.id, view, existing)
        self.homes[(team.id, user.id)] = stored.id
        return {"ok": True, "view": stored.view}

    def _checked_view(self, a: dict[str, Any], kind: str) -> dict[str, Any]:
        view = decoded(a, "view", "invalid_arguments")
        problems = view_problems(view)
        if not problems and view.get("type") != kind:
            problems = [f"must be {kind} [json-pointer:/view/type]"]
        if problems:
            raise Refusal("invalid_arguments", problems)
        return dict(view)

    def _find_view(self, team: FakeTeam, view_id: Any, external_id: Any) -> FakeView:
        for stored in self.views.values():
            if stored.team_id != team.id:
                continue
            if (view_id and stored.id == view_id) or (
                external_id and stored.external_id == external_id
            ):
                return stored
        raise Refusal("not_found")

    def _store_view(
        self, team: FakeTeam, user_id: str, view: dict[str, Any], old: FakeView | None = None
    ) -> FakeView:
        view_id = old.id if old else self.ids.new("V")
        hash_ = f"{int(self.clock())}.{self.ids.new('')}"
        view |= {"id": view_id, "team_id": team.id, "app_id": team.app_id, "bot_id": team.bot_id}
        view |= {"hash": hash_, "root_view_id": view_id, "state": {"values": {}}}
        if old is None:
            stored = FakeView(view_id, team.id, user_id, view, hash_, view.get("external_id"))
            self.views[view_id] = stored
            return stored
        old.history.append(old.view)
        old.view, old.hash = view, hash_
        return old
