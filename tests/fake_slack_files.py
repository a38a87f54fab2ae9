"""``files.getUploadURLExternal`` and ``files.completeUploadExternal`` of the fake Slack, and
the upload in between (slack-sdk's ``files_upload_v2``): a file is announced with its name
and exact length, its bytes are POSTed to the upload URL, and completing it shares it in a
channel (or a thread there). Nothing is shared before it is complete; a file completes once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fake_slack_state import FakeTeam, Ids, Posted, Refusal, decoded

FILES_SCOPE = "files:write"


@dataclass
class FakeFile:
    id: str
    team_id: str
    filename: str
    length: int
    content: bytes | None = None  # None until uploaded
    title: str | None = None
    channel: str | None = None  # where it was shared, once complete
    thread_ts: str | None = None


class FileMethods:
    """Mixed into ``World`` (``tests/fake_slack_methods.py``), which owns this state."""

    ids: Ids
    files: dict[str, FakeFile]
    upload_base: str  # the fake's own URL for uploads, set when it starts
    messages: dict[str, list[Posted]]
    channel: Callable[[FakeTeam, Any], str]

    def files_get_upload_url_external(self, team: FakeTeam, a: dict[str, Any]) -> dict[str, Any]:
        if FILES_SCOPE not in team.scopes:
            raise Refusal("missing_scope")
        filename = str(a.get("filename") or "")
        length = str(a.get("length") or "")
        if not filename:
            raise Refusal("invalid_arguments", ["[ERROR] missing required field: filename"])
        if not length.isdigit() or int(length) < 1:
            raise Refusal("invalid_arguments", ["[ERROR] missing required field: length"])
        found = FakeFile(self.ids.new("F"), team.id, filename, int(length))
        self.files[found.id] = found
        return {"ok": True, "upload_url": f"{self.upload_base}{found.id}", "file_id": found.id}

    def upload(self, file_id: str, content: bytes) -> int:
        """The POST to the upload URL: 200, or 404 for an unknown or completed file."""
        found = self.files.get(file_id)
        if found is None or found.channel is not None:
            return 404
        found.content = content
        return 200

    def files_complete_upload_external(self, team: FakeTeam, a: dict[str, Any]) -> dict[str, Any]:
        listed = decoded(a, "files", "invalid_json")
        if not isinstance(listed, list) or not listed:
            raise Refusal("invalid_arguments", ["[ERROR] missing required field: files"])
        channel = self.channel(team, a.get("channel_id")) if a.get("channel_id") else None
        if channel is None:
            raise Refusal("not_supported_by_fake", ["a file completed without channel_id"])
        thread_ts = a.get("thread_ts") or None
        if thread_ts is not None and not any(
            m.ts == thread_ts for m in self.messages.get(channel, [])
        ):
            raise Refusal("thread_not_found")
        shared: list[FakeFile] = []
        for entry in listed:
            found = self.files.get(str(entry.get("id", "")))
            if found is None or found.team_id != team.id:
                raise Refusal("file_not_found")
            if found.channel is not None:
                raise Refusal("file_already_completed")
            if found.content is None or len(found.content) != found.length:
                raise Refusal("file_upload_size_mismatch" if found.content else "file_not_found")
            shared.append(found)
        for found in shared:
            found.title = entry_title(listed, found.id) or found.filename
            found.channel, found.thread_ts = channel, thread_ts
        return {
            "ok": True,
            "files": [{"id": f.id, "title": f.title, "name": f.filename} for f in shared],
        }


def entry_title(listed: list[dict[str, Any]], file_id: str) -> str | None:
    for entry in listed:
        if entry.get("id") == file_id and entry.get("title"):
            return str(entry["title"])
    return None
