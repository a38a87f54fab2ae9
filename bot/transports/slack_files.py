"""Files on Slack (an ``.ics``, a CSV or HTML export): slack-sdk's ``files_upload_v2``, i.e.
``files.getUploadURLExternal``, the upload of the bytes, ``files.completeUploadExternal``
sharing it in the channel. Needs the ``files:write`` bot scope."""

from __future__ import annotations

import base64

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.messages import Attachment


async def upload(
    client: AsyncWebClient, channel: str, thread_ts: str | None, attachment: Attachment
) -> str:
    """Share ``attachment`` in ``channel`` (in the thread of ``thread_ts`` if given); the
    file's id. slack-sdk's errors pass through for the caller to sort."""
    done = await client.files_upload_v2(
        channel=channel,
        thread_ts=thread_ts,
        filename=attachment.filename,
        title=attachment.filename,
        content=base64.b64decode(attachment.content),
    )
    return str((done.get("file") or {}).get("id", ""))
