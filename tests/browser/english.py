"""Finds English left on a translated page, by the catalogs rather than by guesswork.

Every msgid of the portal's catalogs (portal.pot, invoices.pot) whose translation in the
page's locale differs from it (or is missing) must not be shown verbatim on that page.
Placeholders (``%(amount)s``) match any text. A one-word msgid ("Paid") must be the whole
text of a line, so that a merchant's plan called "Team Pro" does not count as "Pro"; a
longer one may appear inside a line. Msgids too short to say anything ("OK", "PDF") and
msgids that the locale's own translations contain (brand names, "VAT" in "VAT 7%") are
left out: they are legitimately on the page.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parents[2] / "src" / "waffo_portal" / "locale"
DOMAINS = ("portal", "invoices")
MIN_LETTERS = 4  # "OK", "PDF", "VAT": too short to tell English from a shared word
_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")


@attrs.frozen
class Phrase:
    msgid: str
    pattern: re.Pattern[str]
    whole_line: bool

    def found_in(self, line: str) -> bool:
        if self.whole_line:
            return self.pattern.fullmatch(line.strip(" .:;,!?()")) is not None
        return self.pattern.search(line) is not None


def _catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _ids(message_id: str | Sequence[str]) -> tuple[str, ...]:
    return (message_id,) if isinstance(message_id, str) else tuple(message_id)


def _strings(string: str | Sequence[str] | None) -> tuple[str, ...]:
    if not string:
        return ()
    return tuple(s for s in _ids(string) if s)


def _phrase(msgid: str) -> Phrase | None:
    text = " ".join(_TAG.sub("\0", msgid).split())
    literal = _PLACEHOLDER.sub("\0", text)
    words = _WORD.findall(literal.replace("\0", " "))
    if sum(len(w) for w in words) < MIN_LETTERS:
        return None
    parts = [re.escape(p) for p in literal.split("\0")]
    body = r"\s*".join(parts) if len(parts) == 1 else ".*?".join(parts)
    body = body.replace(r"\ ", r"\s+")
    return Phrase(msgid, re.compile(rf"(?<![A-Za-z]){body}(?![A-Za-z])"), len(words) < 2)


@functools.cache
def phrases(locale: str) -> tuple[Phrase, ...]:
    """The English phrases that must not appear on a page in ``locale``."""
    folder = LOCALE_DIR / locale.replace("-", "_") / "LC_MESSAGES"
    candidates: dict[str, Phrase] = {}
    translations: list[str] = []
    for domain in DOMAINS:
        template = _catalog(LOCALE_DIR / f"{domain}.pot")
        po_path = folder / f"{domain}.po"
        translated = _catalog(po_path, locale.replace("-", "_")) if po_path.exists() else None
        for message in template:
            if not message.id:
                continue
            found = translated.get(message.id) if translated is not None else None
            strings = _strings(found.string) if found is not None else ()
            translations.extend(strings)
            for msgid in _ids(message.id):
                phrase = _phrase(msgid)
                # An untranslated msgid (no or empty string) shows in English: a leak too.
                if phrase is not None and msgid not in strings:
                    candidates[msgid] = phrase
    # Words the translators kept in English (brand names, "PDF", "VAT") are not leaks.
    return tuple(p for p in candidates.values()
                 if not any(p.pattern.search(t) for t in translations))


def english_on_page(lines: Iterable[str], locale: str) -> list[str]:
    """``'msgid' in 'line'`` for each English phrase found in the page's ``lines``.

    A line is reported once per phrase, and not again for the shorter phrases inside a
    longer one found there ("Nothing was changed." in "Nothing was changed. Please ...").
    """
    if locale.split("-")[0] == "en":
        return []
    found: dict[str, list[str]] = {}
    for line in dict.fromkeys(" ".join(line.split()) for line in lines if line.strip()):
        hits = [p.msgid for p in phrases(locale) if p.found_in(line)]
        if line in hits:  # the whole line is one msgid: that is the finding
            hits = [line]
        for msgid in hits:
            if not any(msgid != other and msgid in other for other in hits):
                found.setdefault(msgid, []).append(line)
    return [f"{msgid!r} in {lines_[0][:80]!r}" for msgid, lines_ in found.items()]


_RAW_CODE = re.compile(r"(?<![\w@./-])[a-z]+(?:_[a-z]+)+(?![\w@./-])")


def raw_codes(lines: Iterable[str]) -> list[str]:
    """Machine codes shown as words ("insufficient_funds"): a buyer should read a sentence."""
    return sorted({m.group(0) for line in lines for m in _RAW_CODE.finditer(line)})
