"""The words and badges of an order's settlement and of a payment's failure reason:
a buyer reads a translated sentence, never a gateway's code."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from waffo_portal.core.config import SUPPORTED_LOCALES
from waffo_portal.core.settlement import Settlement
from waffo_portal.web.messages import (
    FAILURE_FALLBACK,
    FAILURE_LABELS,
    SETTLEMENT_BADGES,
    failure_label,
)

LOCALE_DIR = Path(__file__).resolve().parents[2] / "src" / "waffo_portal" / "locale"
ORDER_BADGES = {"pending", "paid", "payment_failed", "refunded", "partially_refunded",
                "canceled"}
# What the TestGateway, the demo data, the fake Waffo and common card networks send.
KNOWN_CODES = ("insufficient_funds", "card_declined", "expired_card", "incorrect_cvc",
               "processing_error", "authentication_required", "do_not_honor", "lost_card",
               "stolen_card", "fraudulent", "generic_decline", "timeout", "incorrect_number",
               "card_velocity_exceeded", "currency_not_supported", "incorrect_zip")


def test_every_settlement_has_one_of_the_order_badges() -> None:
    assert set(SETTLEMENT_BADGES) == set(Settlement)
    assert set(SETTLEMENT_BADGES.values()) == ORDER_BADGES
    assert SETTLEMENT_BADGES[Settlement.AWAITING_PAYMENT] == "pending"


@pytest.mark.parametrize("code", KNOWN_CODES)
def test_known_failure_codes_have_their_own_label(code: str) -> None:
    label = failure_label(code)
    assert label == FAILURE_LABELS[code] and label != FAILURE_FALLBACK
    assert "_" not in label and label[0].isupper()


@pytest.mark.parametrize(("reason", "label"), [
    ("insufficient_funds", "Insufficient funds"),
    ("Insufficient funds", "Insufficient funds"),  # a provider's words, not its code
    (" CARD-DECLINED ", "The card was declined"),
    ("expired.card", "The card has expired"),
])
def test_codes_are_matched_whatever_their_spelling(reason: str, label: str) -> None:
    assert failure_label(reason) == label


def test_lost_stolen_and_fraud_read_as_a_plain_decline() -> None:
    for code in ("lost_card", "stolen_card", "fraudulent", "pickup_card"):
        assert failure_label(code) == failure_label("card_declined")


@pytest.mark.parametrize("reason", ["weird_new_code", "Do not call us", "<script>", "x" * 200])
def test_an_unknown_reason_reads_as_the_generic_failure(reason: str) -> None:
    assert failure_label(reason) == FAILURE_FALLBACK


@cache
def _portal_catalog(locale: str) -> Catalog:
    path = LOCALE_DIR / locale.replace("-", "_") / "LC_MESSAGES" / "portal.po"
    with path.open("rb") as source:
        return read_po(source)


# Fails until the central catalog merge adds the new labels (/work/tr/orders.json).
@pytest.mark.parametrize("locale", [code for code in SUPPORTED_LOCALES if code != "en"])
def test_every_failure_label_is_translated(locale: str) -> None:
    catalog = _portal_catalog(locale)
    missing = []
    for msgid in sorted({*FAILURE_LABELS.values(), FAILURE_FALLBACK}):
        message = catalog.get(msgid)
        if message is None or not message.string or message.fuzzy:
            missing.append(msgid)
    assert missing == []
