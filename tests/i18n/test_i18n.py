from __future__ import annotations

import re
from importlib import resources

import pytest
from babel.messages.pofile import read_po

from waffo_portal.core.config import SUPPORTED_LOCALES
from waffo_portal.i18n import (
    babel_locale,
    babel_locale_name,
    choose_locale,
    get_translations,
    normalize_locale,
    parse_accept_language,
    text_direction,
)

LOCALE_DIR = resources.files("waffo_portal") / "locale"


@pytest.mark.parametrize(("tag", "expected"), [
    ("pt", "pt-BR"), ("pt-PT", "pt-BR"), ("pt_BR", "pt-BR"), ("zh-TW", "zh-Hant"),
    ("zh-HK", "zh-Hant"), ("zh-Hant-TW", "zh-Hant"), ("zh_Hant", "zh-Hant"), ("zh", "zh-Hans"),
    ("zh-CN", "zh-Hans"), ("zh-SG", "zh-Hans"), ("zh-Hans-CN", "zh-Hans"), ("in", "id"),
    ("fr-CA", "fr"), ("EN-gb", "en"), ("ar-EG", "ar"), ("xx", None), ("", None), (None, None),
])
def test_fallback_chain(tag: str | None, expected: str | None) -> None:
    assert normalize_locale(tag) == expected


def test_negotiation_order() -> None:
    header = "de-CH;q=0.9, fr;q=1, *;q=0.1"
    assert choose_locale("ja", "ko", header, "en") == "ja"
    assert choose_locale(None, "ko", header, "en") == "ko"
    assert choose_locale("xx", "ko", header, "en") == "ko"  # unknown explicit: skipped
    assert choose_locale(None, None, header, "en") == "fr"  # highest q first
    assert choose_locale(None, None, "xx, tlh;q=0.5", "es") == "es"
    assert choose_locale(None, None, None, "nonsense") == "en"
    assert choose_locale(None, None, "de;q=0, it, pt;q=0.5", "en") == "pt-BR"


def test_accept_language_parsing_is_bounded_and_drops_q0() -> None:
    assert parse_accept_language("a;q=0.2, b, c;q=0, d;q=oops, e;q=0.5") == ["b", "e", "a"]
    assert len(parse_accept_language(", ".join(["en"] * 10_000))) == 32


def test_babel_names_and_direction() -> None:
    assert babel_locale_name("zh-Hans") == "zh_Hans"
    assert babel_locale_name("pt-BR") == "pt_BR"
    assert babel_locale("zh-Hant").territories["JP"] == "日本"
    assert text_direction("ar") == "rtl"
    assert {text_direction(tag) for tag in SUPPORTED_LOCALES if tag != "ar"} == {"ltr"}


def _template_ids() -> list[str]:
    with (LOCALE_DIR / "invoices.pot").open("rb") as source:
        return [m.id for m in read_po(source) if m.id]


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_catalog_translates_every_message(locale: str) -> None:
    path = LOCALE_DIR / locale.replace("-", "_") / "LC_MESSAGES" / "invoices.po"
    with path.open("rb") as source:
        catalog = read_po(source)
    assert not catalog.fuzzy  # a fuzzy header drops the charset when compiled
    translations = get_translations(locale, "invoices")
    for msgid in _template_ids():
        message = catalog.get(msgid)
        assert message is not None, f"{locale} misses {msgid!r}"
        assert message.string and not message.fuzzy, f"{locale}: {msgid!r}"
        # Both styles: %(name)s (gettext) and {plan} (str.format, the line wording).
        placeholders = set(re.findall(r"%\(\w+\)s|\{\w+\}", msgid))
        assert set(re.findall(r"%\(\w+\)s|\{\w+\}", str(message.string))) == placeholders
        assert translations.gettext(msgid) == message.string
    if locale != "en":
        assert translations.gettext("Invoice") != "Invoice"


def test_template_lists_every_message_the_sources_use() -> None:
    """The .pot is current: every _() in templates and render.py is in it."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    root = resources.files("waffo_portal")
    mapping = ("[python: invoices/**.py]\n[jinja2: invoices/templates/**.html]\n")
    import io

    method_map, options_map = parse_mapping_cfg(io.StringIO(mapping))
    found = {message for _f, _l, message, _c, _x in
             extract_from_dir(str(root), method_map, options_map)}
    assert found and found <= set(_template_ids())
