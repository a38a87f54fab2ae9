"""Onboarding by invitation: ``/start <token>`` (a Telegram deep link) or ``join CODE`` (any
platform) links the account to the invited person, who is greeted in their language with
what Kompis does and what is due now. A used, expired or unknown invitation is refused with
what to do instead, and nothing is linked."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from bot.domain.catalog import Catalog
from bot.domain.invites import digest, is_token, normalise_code
from bot.domain.messages import Address, Inbound, Outgoing
from bot.domain.ports import OnboardingPort
from bot.features import progress
from bot.features.context import Context
from bot.rendering.i18n import negotiate


@dataclass(frozen=True)
class Request:
    via: str  # "token" (deep link) or "code" (typed)
    secret: str


def wanted(inbound: Inbound) -> Request | None:
    """The invitation an inbound text presents, or None when it is not about joining."""
    first, _, rest = inbound.text.strip().partition(" ")
    word = first.lstrip("/").split("@", 1)[0].lower()
    rest = rest.strip()
    if word == "start" and rest:
        return Request("token", rest)
    if word == "join":
        return Request("code", rest)
    return None


async def onboard(
    store: OnboardingPort,
    catalog: Catalog,
    inbound: Inbound,
    request: Request,
    now: datetime,
    default_locale: str,
) -> list[Outgoing]:
    invite = None
    if request.via == "token" and is_token(request.secret):
        invite = await store.invite_by_hash(token_hash=digest(request.secret))
    elif request.via == "code" and normalise_code(request.secret):
        invite = await store.invite_by_hash(code_hash=digest(normalise_code(request.secret)))
    state = invite.state(now) if invite else "unknown"
    if state == "valid" and invite and not await store.use_invite(invite.id, now):
        state = "used"  # someone else used it a moment ago
    if state != "valid" or invite is None:
        template = {"used": "invite_used", "expired": "invite_expired"}.get(state, "invite_unknown")
        return [_to_chat(inbound, template, default_locale)]
    await store.link_identity(
        invite.person_id, inbound.platform, inbound.user_id, inbound.chat_id, now, inbound.workspace
    )
    person = await store.person(invite.person_id)
    assert person is not None  # the invite's foreign key keeps the person
    if person.locale is None and inbound.locale_hint:
        locale = negotiate(inbound.locale_hint, catalog.cohort(person.cohort_id).locale)
        await store.update_person(person.id, locale=locale)
        person = type(person)(**{**person.__dict__, "locale": locale})
    ctx = Context(store, catalog, person, inbound, now)
    ctx.reply("welcome", name=person.name, programme=ctx.programme.title)
    await progress.status(ctx, "")
    return ctx.replies


def _to_chat(inbound: Inbound, template: str, default_locale: str) -> Outgoing:
    """A reply to whoever wrote, known or not, in the platform's idea of their language."""
    return Outgoing(
        None,
        template,
        key=f"onboarding:{inbound.platform}:{inbound.event_id or uuid.uuid4().hex}",
        address=Address(inbound.platform, inbound.chat_id, inbound.workspace),
        locale=negotiate(inbound.locale_hint, default_locale),
    )
