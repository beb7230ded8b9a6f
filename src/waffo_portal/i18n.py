"""Portal-wide internationalisation: locale negotiation, gettext catalogs, direction.

Locales are the BCP 47 tags of :data:`~waffo_portal.config.SUPPORTED_LOCALES`
("zh-Hans", "pt-BR"); babel and the catalog directories use the underscore
form ("zh_Hans", "pt_BR").

Catalogs are the ``.po`` files under ``waffo_portal/locale``, compiled in
memory on first use and cached for the life of the process (a few
milliseconds per locale and domain, once). Shipping only the ``.po`` sources
means a compiled ``.mo`` can never be stale and packaging needs no build step.
``scripts/i18n.py`` extracts the ``.pot``, updates the ``.po`` files and checks
them (no missing, empty or fuzzy entry).
"""

from __future__ import annotations

import io
from functools import lru_cache
from importlib import resources
from typing import Final

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from .core.config import SUPPORTED_LOCALES

DEFAULT_LOCALE: Final = "en"
RTL_LANGUAGES: Final = frozenset({"ar", "he", "fa", "ur"})
_BY_LOWER: Final = {tag.lower(): tag for tag in SUPPORTED_LOCALES}
_BY_LANGUAGE: Final = {tag.split("-")[0].lower(): tag for tag in SUPPORTED_LOCALES}
#: Subtags that make Chinese Traditional (script, or a region that writes it).
_TRADITIONAL: Final = frozenset({"hant", "tw", "hk", "mo"})
#: Deprecated or alternative language codes still sent by some browsers.
_ALIASES: Final = {"in": "id", "zsm": "ms", "iw": "he"}
_MAX_ACCEPT_ITEMS: Final = 32  # a hostile header must not cost much to parse


def normalize_locale(tag: str | None) -> str | None:
    """The supported locale a language tag falls back to, or None if none fits.

    ``pt``/``pt-PT`` → ``pt-BR``; ``zh-TW``, ``zh-HK``, ``zh-Hant-*`` → ``zh-Hant``;
    ``zh``, ``zh-CN``, ``zh-SG`` → ``zh-Hans``; ``in`` → ``id``; ``fr-CA`` → ``fr``.
    """
    if not tag:
        return None
    cleaned = tag.strip().replace("_", "-").lower()
    if not cleaned or len(cleaned) > 35:
        return None
    if cleaned in _BY_LOWER:
        return _BY_LOWER[cleaned]
    parts = cleaned.split("-")
    language = _ALIASES.get(parts[0], parts[0])
    if language == "zh":
        return "zh-Hant" if _TRADITIONAL.intersection(parts[1:]) else "zh-Hans"
    return _BY_LANGUAGE.get(language)


def parse_accept_language(header: str | None) -> list[str]:
    """Language tags of an Accept-Language header, most preferred first (q=0 dropped)."""
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    for index, item in enumerate(header.split(",")[:_MAX_ACCEPT_ITEMS]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                continue
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, index, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def choose_locale(explicit: str | None = None, buyer_pref: str | None = None,
                  accept_language_header: str | None = None,
                  default: str = DEFAULT_LOCALE) -> str:
    """Pick the locale: explicit choice > buyer preference > Accept-Language > default."""
    for candidate in (explicit, buyer_pref):
        found = normalize_locale(candidate)
        if found:
            return found
    for tag in parse_accept_language(accept_language_header):
        found = normalize_locale(tag)
        if found:
            return found
    return normalize_locale(default) or DEFAULT_LOCALE


def babel_locale_name(locale: str) -> str:
    """``zh-Hans`` → ``zh_Hans``, ``pt-BR`` → ``pt_BR``: babel's and the catalogs' naming."""
    supported = normalize_locale(locale) or DEFAULT_LOCALE
    return supported.replace("-", "_")


@lru_cache(maxsize=64)
def babel_locale(locale: str) -> Locale:
    return Locale.parse(babel_locale_name(locale))


def text_direction(locale: str) -> str:
    """``"rtl"`` for right-to-left languages (Arabic), else ``"ltr"``."""
    language = (normalize_locale(locale) or DEFAULT_LOCALE).split("-")[0]
    return "rtl" if language in RTL_LANGUAGES else "ltr"


@lru_cache(maxsize=128)
def get_translations(locale: str, domain: str) -> Translations:
    """The catalog of ``domain`` for ``locale`` (English source strings if none exists)."""
    name = babel_locale_name(locale)
    folder = resources.files("waffo_portal") / "locale" / name / "LC_MESSAGES"
    po_file = folder / f"{domain}.po"
    if not po_file.is_file():
        return Translations(domain=domain)
    with po_file.open("rb") as source:
        catalog = read_po(source, locale=name, domain=domain)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)  # a fuzzy guess is never shown
    compiled.seek(0)
    return Translations(fp=compiled, domain=domain)


def catalog_path(locale: str, domain: str) -> str:
    """Where the ``.po`` source of a catalog lives inside the package (for tooling)."""
    return f"locale/{babel_locale_name(locale)}/LC_MESSAGES/{domain}.po"
