"""Errors carry message keys; every key reaches the buyer translated, in every locale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from waffo_portal.core.config import SUPPORTED_LOCALES
from waffo_portal.core.exceptions import (
    Conflict,
    InvalidToken,
    PaymentDeclined,
    PlanChangeNotAllowed,
    ValidationError,
)
from waffo_portal.core.messages import MESSAGES
from waffo_portal.i18n import get_translations
from waffo_portal.web.messages import key_message

SRC = Path(__file__).resolve().parents[2] / "src" / "waffo_portal"


@pytest.mark.parametrize("locale", [loc for loc in SUPPORTED_LOCALES if loc != "en"])
def test_every_key_is_translated(locale: str) -> None:
    translations = get_translations(locale, "portal")
    untranslated = [key for key, msgid in MESSAGES.items()
                    if translations.gettext(msgid) == msgid]
    assert untranslated == []


def test_english_reads_the_msgid_itself() -> None:
    translations = get_translations("en", "portal")
    assert all(translations.gettext(msgid) == msgid for msgid in MESSAGES.values())


def test_an_error_carries_its_key_and_the_english_message() -> None:
    error = PlanChangeNotAllowed(key="plan.past_due", subscription_id="sub_1")
    assert error.key == "plan.past_due"
    assert error.message == MESSAGES["plan.past_due"]
    assert error.context == {"subscription_id": "sub_1"}
    validation = ValidationError({"plan_id": "plan.not_offered"})
    assert validation.keys == {"plan_id": "plan.not_offered"}
    assert validation.errors == {"plan_id": MESSAGES["plan.not_offered"]}
    declined = PaymentDeclined(key="payment.declined", reason="card_declined")
    assert (declined.key, declined.reason) == ("payment.declined", "card_declined")


def test_an_unknown_key_fails_where_it_is_raised() -> None:
    with pytest.raises(KeyError, match=r"no\.such_key"):
        Conflict(key="no.such_key")
    with pytest.raises(KeyError, match=r"no\.such_key"):
        ValidationError({"field": "no.such_key"})
    with pytest.raises(TypeError):
        Conflict()


def test_an_error_without_a_key_shows_nothing_of_its_message() -> None:
    assert key_message(InvalidToken("internal detail: hmac mismatch").key) is None
    assert key_message("link.invalid") == MESSAGES["link.invalid"]


def test_every_key_raised_in_the_sources_is_in_the_table() -> None:
    raised = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        raised |= set(re.findall(r'\bkey="([a-z_]+\.[a-z_]+)"', text))
    assert raised, "the pattern found no key at all"
    assert raised <= set(MESSAGES)


def test_the_web_layer_compares_no_english_text() -> None:
    web = "\n".join(p.read_text(encoding="utf-8") for p in (SRC / "web").rglob("*.py"))
    assert "exc.message" not in web
    assert "exc.errors" not in web
