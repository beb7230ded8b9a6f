"""Free text on its way into the merchant's tools: spreadsheets and terminals.

The cancel form refuses control characters, but comments stored before that rule, or
written by another store or a provider's sync, may hold anything. So every report cell
passes through here on the way out, whatever the input rules were when it was saved.
"""

from __future__ import annotations

from typing import Final

from .billing_details import has_control_chars

# OWASP's CSV-injection list: Excel and LibreOffice evaluate a cell starting with these.
_FORMULA_LEAD: Final = frozenset("=+-@\t\r")
NEWLINE_MARK: Final = "\u23ce"  # ⏎: a line break shown, not made, in a one-line row


def _escaped(ch: str) -> str:
    # \t, \x07, \x85, \u202e, \ud800: the code point visible, never its effect.
    return ch.encode("unicode_escape").decode("ascii")


def _visible(text: str, newline: str) -> str:
    """``text`` with each line feed as ``newline`` and other controls (C0/C1, DEL, lone
    surrogates, U+2028/9, bidi overrides and isolates) escaped."""
    text = text.replace("\r\n", "\n")
    if not has_control_chars(text.replace("\n", "")):  # the common case: one C-level scan
        return text.replace("\n", newline)
    return "".join(newline if ch == "\n" else _escaped(ch) if has_control_chars(ch) else ch
                   for ch in text)


def csv_cell(value: str) -> str:
    """A cell a spreadsheet shows as the text it is. One that would start a formula, also
    after leading whitespace, gets a leading apostrophe (the usual text marker); line
    feeds stay, for the csv module to quote; other controls are escaped."""
    if value[:1] in _FORMULA_LEAD or value.lstrip()[:1] in _FORMULA_LEAD:
        value = "'" + value
    return _visible(value, "\n")


def table_text(value: str) -> str:
    """``value`` as one line of a plain-text table: a line break cannot start a forged
    row, nor an escape sequence or bidi control rewrite what the terminal shows."""
    return _visible(value, NEWLINE_MARK)


__all__ = ["NEWLINE_MARK", "csv_cell", "table_text"]
