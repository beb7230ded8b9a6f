"""The "no English on a translated page" check finds English, and only English."""

from __future__ import annotations

from typing import Any

import pytest
from babel.messages.pofile import read_po

from .english import LOCALE_DIR, english_on_page, phrases, raw_codes
from .pagecheck import COLLECT_TEXT


def _translation(msgid: str, locale: str) -> str:
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "portal.po").open("rb") as handle:
        message = read_po(handle).get(msgid)
    assert message is not None and isinstance(message.string, str) and message.string
    return message.string


@pytest.mark.parametrize("locale", ["ja", "ar", "th"])
def test_an_english_message_on_a_translated_page_is_found(locale: str) -> None:
    found = english_on_page(["メール", "Enter a valid email address"], locale)
    assert found == ["'Enter a valid email address' in 'Enter a valid email address'"]


def test_its_translation_is_not() -> None:
    translated = _translation("Enter a valid email address", "ja")
    assert english_on_page([translated, "ada@example.com", "Acme Cloud", "PDF"], "ja") == []


def test_placeholders_match_the_values_put_in() -> None:
    found = english_on_page(["Next bill: €29.00 on 2026年3月2日"], "ja")
    assert found == ["'Next bill: %(amount)s on %(date)s' in 'Next bill: €29.00 on 2026年3月2日'"]


def test_a_one_word_message_counts_only_as_a_whole_line() -> None:
    assert english_on_page(["Paid"], "th") == ["'Paid' in 'Paid'"]
    assert english_on_page(["Paid Media Pro"], "th") == []  # a merchant's plan name


def test_a_longer_finding_hides_the_shorter_ones_inside_it() -> None:
    line = "Nothing was changed. Please try again later."
    assert english_on_page([line], "ar") == [f"{line!r} in {line!r}"]


def test_english_pages_and_words_kept_in_translations_are_not_checked() -> None:
    assert english_on_page(["Enter a valid email address"], "en") == []
    kept = {p.msgid for p in phrases("ja")}
    assert "Enter a valid email address" in kept and len(kept) > 200
    assert not {"OK", "PDF", "VAT"} & kept


def test_raw_codes_are_found_but_not_emails_or_paths() -> None:
    lines = ["Reason: insufficient_funds", "ada_l@example.com", "/orders/demo_1", "Paid"]
    assert raw_codes(lines) == ["insufficient_funds"]


@pytest.mark.browser
def test_the_page_text_collector_finds_english_in_text_and_attributes(browser: Any) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.set_content(
        '<html lang="ja"><head><title>注文</title></head><body>'
        '<p>お支払い <span>Enter a valid email address</span></p>'
        '<p style="display:none">Page not found</p>'
        '<button aria-label="Log out everywhere">x</button>'
        '<input placeholder="Email address"><input type="submit" value="Sign in">'
        '<select><option lang="en">English</option><option>Too many attempts</option>'
        '</select><p lang="en">Need help?</p></body></html>')
    found = english_on_page(page.evaluate(COLLECT_TEXT), "ja")
    context.close()
    assert sorted(f.split(" in ")[0] for f in found) == [
        "'Email address'", "'Enter a valid email address'", "'Log out everywhere'",
        "'Sign in'", "'Too many attempts'"]
