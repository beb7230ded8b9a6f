"""Every message the web pages can show is translated in every one of the 17 locales."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from waffo_portal.core.billing_details import MESSAGES
from waffo_portal.core.config import SUPPORTED_LOCALES
from waffo_portal.core.messages import MESSAGES as CORE_MESSAGES
from waffo_portal.i18n import get_translations
from waffo_portal.web.messages import PERIOD_LABELS, REASON_LABELS, STATUS_LABELS

ROOT = Path(__file__).resolve().parents[2]
LOCALE_DIR = ROOT / "src" / "waffo_portal" / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _singular(msgid: str | tuple[str, ...]) -> str:
    """A plural entry is keyed by its singular msgid."""
    return msgid if isinstance(msgid, str) else msgid[0]


@cache
def source_messages() -> frozenset[str]:
    """The msgids in the sources right now (not what the .pot says)."""
    with (ROOT / "babel-portal.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = {message for _file, _line, message, _comments, _context
             in extract_from_dir(str(ROOT), method_map, options_map)}
    return frozenset(_singular(m) for m in found if m)


def test_the_pot_matches_the_sources() -> None:
    with (LOCALE_DIR / "portal.pot").open("rb") as pot:
        in_pot = {_singular(m.id) for m in read_po(pot) if m.id}
    assert in_pot == set(source_messages()), "run: python scripts/i18n.py extract"


def test_core_messages_are_extracted() -> None:
    shown = (set(MESSAGES.values()) | set(CORE_MESSAGES.values()) | set(REASON_LABELS.values())
             | set(STATUS_LABELS.values()) | set(PERIOD_LABELS.values()))
    assert shown <= source_messages()


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_message_is_translated(locale: str) -> None:
    path = LOCALE_DIR / locale.replace("-", "_") / "LC_MESSAGES" / "portal.po"
    with path.open("rb") as source:
        catalog = read_po(source)
    problems = []
    for msgid in sorted(source_messages()):
        message = catalog.get(msgid)
        forms = () if message is None else (
            (message.string,) if isinstance(message.string, str) else message.string)
        if message is None or not forms or not all(forms) or message.fuzzy:
            problems.append(f"missing: {msgid!r}")
        elif any(sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(form))
                 for form in forms):
            problems.append(f"placeholders differ: {msgid!r}")
    assert problems == []


@pytest.mark.parametrize("locale", [code for code in SUPPORTED_LOCALES if code != "en"])
def test_billing_messages_really_change_language(locale: str) -> None:
    translations = get_translations(locale, "portal")
    assert translations.gettext(MESSAGES["postal_code_required"]) != MESSAGES[
        "postal_code_required"]
