"""The wire side of the fake Slack: reading a Web API request as slack-sdk (or anyone) sends
it, and writing Slack's answer.

Arguments may come in the query string, a form body or a JSON body (merged, body last); the
token as ``Authorization: Bearer`` or a ``token`` argument; OAuth client credentials as
``Authorization: Basic``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fake_slack_state import InjectedFailure

HTML_ERROR = "<html><body><h1>503 Service Unavailable</h1></body></html>"


@dataclass
class Incoming:
    args: dict[str, Any]  # without the token
    token: str | None
    basic: tuple[str, str] | None  # (client id, client secret)
    malformed: bool  # a JSON body that is not a JSON object


async def read_request(request: web.Request) -> Incoming:
    args: dict[str, Any] = dict(request.query)
    malformed = False
    try:
        if request.content_type == "application/json":
            body = await request.json()
            malformed = not isinstance(body, dict)
            args |= {} if malformed else body
        elif request.method == "POST":
            args |= dict(await request.post())
    except ValueError:
        malformed = True
    token = args.pop("token", None)
    basic = None
    authorization = request.headers.get("Authorization", "")
    if authorization.startswith("Bearer "):
        token = authorization.removeprefix("Bearer ")
    elif authorization.startswith("Basic "):
        pair = base64.b64decode(authorization.removeprefix("Basic ")).decode()
        client_id, _, secret = pair.partition(":")
        basic = (client_id, secret)
    return Incoming(args, token, basic, malformed)


def respond(status: int, answer: dict[str, Any] | None, headers: dict[str, str]) -> web.Response:
    """Slack's JSON answer, or (``answer`` None) the HTML page its front end shows on a 5xx."""
    if answer is None:
        return web.Response(status=status, text=HTML_ERROR, content_type="text/html")
    return web.json_response(answer, status=status, headers=headers)


def failure_body(failure: InjectedFailure) -> dict[str, Any] | None:
    return None if failure.html else {"ok": False, "error": "internal_error"}
