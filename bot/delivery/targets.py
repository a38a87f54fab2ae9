"""Where each claimed row goes: an address on a platform this worker serves, and a locale."""

from __future__ import annotations

from collections.abc import Collection

from bot.domain.catalog import Catalog
from bot.domain.messages import Address
from bot.domain.text import language_for
from bot.storage.repo import OutboxItem, Store

#: the address, the recipient's locale, and the identity behind the address
Target = tuple[Address, str, int | None]

#: the language of last resort (a person with no locale whose cohort left the catalog)
FALLBACK_LOCALE = "en"


async def resolve_targets(
    store: Store, catalog: Catalog, platforms: Collection[str], items: list[OutboxItem]
) -> dict[int, Target | None]:
    """The person's most recently used reachable identity on a platform in ``platforms``, or
    the row's bare address; ``None``: nobody to send to. People and identities of the whole
    batch are read in a handful of queries, not per row."""
    person_ids = [i.person_id for i in items if i.person_id is not None]
    people = await store.people(person_ids)
    identities = await store.identities_of(person_ids)
    targets: dict[int, Target | None] = {}
    for item in items:
        targets[item.id] = None
        if item.person_id is None:
            if item.address and item.address.platform in platforms:
                targets[item.id] = (item.address, item.locale or FALLBACK_LOCALE, None)
            continue
        person = people.get(item.person_id)
        if person is None:
            continue
        cohort = catalog.cohorts.get(person.cohort_id)
        programme = catalog.programmes.get(cohort.programme) if cohort else None
        if cohort is None or programme is None:
            locale = person.locale or FALLBACK_LOCALE
        else:  # only a language the programme is written in (see domain.text.language_for)
            locale = language_for(
                person.locale or cohort.locale, programme.locales, programme.default_locale
            )
        for identity in identities.get(person.id, []):
            if not identity.unreachable and identity.platform in platforms:
                address = Address(identity.platform, identity.chat_id, identity.workspace)
                targets[item.id] = (address, locale, identity.id)
                break
    return targets


async def reachable_elsewhere(store: Store, person_id: int | None) -> bool:
    """Whether a person still has a reachable identity on any platform."""
    if person_id is None:
        return False
    return any(not i.unreachable for i in await store.identities(person_id))
