"""Guards for the language review (klarspråk): the mistakes found once must not come back.

See the README's "Translations" for what was reviewed and the rules chosen (nynorsk uses
e-infinitives; Swedish quotes are ” ”; times are written "kl. 09:00"; one day ahead is
"i morgen"/"i morgon", not "om 1 dag")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from babel.messages.pofile import read_po

from bot.domain.messages import Outgoing
from bot.rendering.i18n import default_locales_dir, load_translations
from bot.rendering.renderer import Renderer
from tests.helpers import ROOT

#: Bokmål forms that have no place in nynorsk (the nynorsk form in the comment).
BOKMAL_ONLY = (
    "ikke",  # ikkje
    "hva",  # kva
    "hvordan",  # korleis
    "hvorfor",  # kvifor
    "hvem",  # kven
    "hvilken",  # kva for ein
    "hvis",  # om, viss
    "jeg",  # eg
    "noen",  # nokon
    "noe",  # noko
    "bare",  # berre
    "fra",  # frå
    "dere",  # de, dykk
    "deres",  # dykkar
    "sammen",  # saman
    "uten",  # utan
    "mye",  # mykje
    "selv",  # sjølv
    "hver",  # kvar
    "hverandre",  # kvarandre
    "ennå",  # enno
    "allerede",  # allereie, alt
    "være",  # vere
    "laber",  # labar
    "dager",  # dagar
    "oppgaver",  # oppgåver
    "oppgave",  # oppgåve
    "tjeneste",  # teneste
    "tjenester",  # tenester
    "kommuner",  # kommunar
    "ledere",  # leiarar
    "leder",  # leiar
    "innbyggere",  # innbyggjarar
    "medarbeidere",  # medarbeidarar
    "virksomhet",  # verksemd
    "løsning",  # løysing
    "påminnelse",  # påminning
    "påminnelser",  # påminningar
)
#: Nynorsk here uses e-infinitives ("å velje", "kan lagre"); these end in -e, not -a. Verbs
#: whose stem ends in -a (ta, gjenta) are not a-infinitives, nor is a noun ("bør måla ...").
A_INFINITIVE = re.compile(
    r"\b(?:å|kan|kunne|vil|ville|skal|skulle|må|bør)\s+(\w{2,}[^aeiouyæøå\W]a)\b", re.I
)
NOT_INFINITIVES = {"gjenta", "delta", "anta", "innta", "avta", "måla"}


def catalogue(locale: str) -> list[str]:
    with (default_locales_dir() / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        found = []
        for message in read_po(handle):
            if message.id:
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                found += [s for s in strings if s]
        return found


def _texts(node: Any, locale: str) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == locale and isinstance(value, str):
                yield value
            else:
                yield from _texts(value, locale)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item, locale)


def content(locale: str) -> list[str]:
    files = sorted((ROOT / "content").rglob("*.yaml")) + sorted((ROOT / "schedules").glob("*.yaml"))
    return [t for f in files for t in _texts(yaml.safe_load(f.read_text(encoding="utf-8")), locale)]


def every_text(locale: str) -> list[str]:
    return catalogue(locale) + content(locale)


def test_swedish_uses_swedish_quotation_marks() -> None:
    wrong = [t for t in every_text("sv") if "«" in t or "»" in t]
    assert wrong == []
    assert any("”status”" in t for t in catalogue("sv"))


def test_swedish_interface_says_skjut_upp_not_snooza() -> None:
    assert not [t for t in catalogue("sv") if "snooz" in t.lower()]
    assert "skjut upp" in catalogue("sv")


def test_swedish_says_digitalt_ledarskap() -> None:
    assert not [t for t in every_text("sv") if "digital ledning" in t.lower()]


def test_swedish_deadline_avoids_adjective_agreement() -> None:
    """ "Förarbete ska vara klart" but "reflektion ska vara klar": the sentence names the
    deadline instead, so it is right for every stage."""
    found = load_translations(default_locales_dir(), "sv").ngettext(
        "%(stage)s in %(module)s is due in %(count)s day: %(due)s.",
        "%(stage)s in %(module)s is due in %(count)s days: %(due)s.",
        3,
    )
    assert "klar" not in found and found.startswith("Sista dag för %(stage)s")


@pytest.mark.parametrize(("locale", "tomorrow"), [("nb", "i morgen"), ("nn", "i morgon")])
def test_one_day_ahead_is_tomorrow(locale: str, tomorrow: str) -> None:
    text = load_translations(default_locales_dir(), locale).ngettext(
        "%(stage)s in %(module)s is due in %(count)s day: %(due)s.",
        "%(stage)s in %(module)s is due in %(count)s days: %(due)s.",
        1,
    ) % {"stage": "Forarbeid", "module": "Ledelse", "count": 1, "due": "fredag"}
    assert tomorrow in text and "om 1 dag" not in text


@pytest.mark.parametrize("locale", ["nb", "nn", "sv"])
def test_times_are_written_kl(locale: str) -> None:
    assert not [t for t in every_text(locale) if re.search(r"\bklock(a|an|en)\b", t)]
    assert any("kl. %(start)s" in t for t in catalogue(locale))


@pytest.mark.parametrize("locale", ["nb", "nn", "sv"])
def test_large_numbers_have_a_space_between_thousands(locale: str) -> None:
    text = (
        Renderer()
        .render(Outgoing(1, "reflection_too_long", {"limit": 4000, "length": 10000}), locale)
        .text
    )
    assert "10\u00a0000" in text and "10000" not in text


@pytest.mark.parametrize(("locale", "greeting"), [("nb", "Hei, Kari!"), ("sv", "Hej Kari!")])
def test_greetings_use_the_first_name(locale: str, greeting: str) -> None:
    text = Renderer().render(Outgoing(1, "help", {"name": "Kari Nordvik"}), locale).text
    assert text.startswith(greeting)


def test_nynorsk_has_no_bokmal_only_forms() -> None:
    pattern = re.compile(r"\b(" + "|".join(BOKMAL_ONLY) + r")\b", re.I)
    found = {m.group(1).lower(): t for t in every_text("nn") for m in pattern.finditer(t)}
    assert found == {}


def test_nynorsk_uses_e_infinitives() -> None:
    found = [
        (m.group(1), t)
        for t in every_text("nn")
        for m in A_INFINITIVE.finditer(t)
        if m.group(1).lower() not in NOT_INFINITIVES
    ]
    assert found == []


def test_the_guards_see_every_content_text() -> None:
    assert len(content("nn")) > 300 and len(content("sv")) > 600
