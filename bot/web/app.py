"""The ASGI app: ``/healthz`` always, ``/metrics``, ``/telegram/webhook`` in webhook mode,
``/slack/events`` when Slack is configured (Bolt checks Slack's signature there: 401
otherwise), and with OAuth ``/slack/install`` and ``/slack/oauth_redirect``.

The webhook checks Telegram's secret token before anything else: a request without the
right ``X-Telegram-Bot-Api-Secret-Token`` gets 403 and is not processed (and the header's
value is never logged).
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

#: how the web app sees the running bot (``bot.serve`` builds it from ``Kompis``)
DatabaseCheck = Callable[[], Awaitable[dict[str, int]]]
Processor = Callable[[dict[str, Any]], Awaitable[None]]
#: Slack's requests go to Bolt whole (it verifies the signature over the raw body)
SlackHandler = Callable[[Request], Awaitable[Response]]


class WebApp:
    def __init__(
        self,
        outbox_counts: DatabaseCheck,
        transports: dict[str, Callable[[], datetime | None]],
        telegram: Processor | None = None,
        telegram_secret: str | None = None,
        slack: SlackHandler | None = None,
        slack_oauth: bool = False,
    ) -> None:
        self.outbox_counts = outbox_counts
        self.transports = transports
        self.telegram = telegram
        self.telegram_secret = telegram_secret
        self.registry = CollectorRegistry()
        self.outbox_gauge = Gauge(
            "kompis_outbox_rows", "Outbox rows by status", ["status"], registry=self.registry
        )
        routes = [
            Route("/healthz", self.healthz, methods=["GET"]),
            Route("/metrics", self.metrics, methods=["GET"]),
        ]
        if telegram is not None:
            routes.append(Route("/telegram/webhook", self.telegram_webhook, methods=["POST"]))
        if slack is not None:
            routes.append(Route("/slack/events", slack, methods=["POST"]))
            if slack_oauth:  # Bolt's install page and OAuth redirect
                routes.append(Route("/slack/install", slack, methods=["GET"]))
                routes.append(Route("/slack/oauth_redirect", slack, methods=["GET"]))
        self.asgi = Starlette(routes=routes)

    async def healthz(self, _request: Request) -> Response:
        """200 when the database answers and every transport has had a success since its
        last failure; 503 naming what is wrong otherwise."""
        body: dict[str, Any] = {}
        healthy = True
        try:
            await self.outbox_counts()
            body["database"] = "ok"
        except Exception as exc:  # any failure to reach it is the answer
            healthy = False
            body["database"] = f"unreachable: {type(exc).__name__}"
        for platform, last_success in self.transports.items():
            moment = last_success()
            body[platform] = moment.isoformat() if moment else "no success yet"
            healthy = healthy and moment is not None
        return JSONResponse(body, status_code=200 if healthy else 503)

    async def metrics(self, _request: Request) -> Response:
        for status, count in (await self.outbox_counts()).items():
            self.outbox_gauge.labels(status=status).set(count)
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)

    async def telegram_webhook(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        secret = self.telegram_secret or ""
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("refused a Telegram webhook request with a wrong or missing secret")
            return Response("forbidden", status_code=403)
        try:
            payload = json.loads(await request.body())
        except ValueError:
            return Response("not JSON", status_code=400)
        if not isinstance(payload, dict) or "update_id" not in payload:
            return Response("not an update", status_code=400)
        assert self.telegram is not None
        try:
            await self.telegram(payload)
        except RuntimeError:  # not started yet, or stopping: Telegram delivers it again later
            return Response("not ready", status_code=503)
        return Response("ok")
