"""The web layer's own labels, and the buyer-facing text of an error's message key.

Errors carry message keys (``core.messages``); a page shows the msgid of the key,
translated. An error without a key gets a generic text for its class, so an internal
detail (a developer message) can never reach a page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Final

from ..core.messages import MESSAGES, N_
from ..core.settlement import Settlement

# The cancellation reasons of models.CancellationReason, as the buyer reads them.
REASON_LABELS: Final = {
    "too_expensive": N_("It is too expensive"),
    "missing_features": N_("It is missing features I need"),
    "switched_service": N_("I switched to another service"),
    "unused": N_("I do not use it enough"),
    "customer_service": N_("I was unhappy with customer service"),
    "low_quality": N_("The quality was not good enough"),
    "too_complex": N_("It is too complicated to use"),
    "other": N_("Another reason"),
}

STATUS_LABELS: Final = {
    # subscriptions
    "trialing": N_("Trial"), "active": N_("Active"), "past_due": N_("Past due"),
    "canceling": N_("Ends at period end"), "canceled": N_("Canceled"), "expired": N_("Expired"),
    # orders and payments
    "pending": N_("Pending"), "completed": N_("Paid"), "refunded": N_("Refunded"),
    "succeeded": N_("Succeeded"), "failed": N_("Failed"),
}

# The layout's navigation: (portal path, label).
NAVIGATION: Final = (
    ("/", N_("Overview")), ("/subscriptions", N_("Subscriptions")), ("/orders", N_("Orders")),
    ("/billing-details", N_("Billing details")),
)

PERIOD_LABELS: Final = {
    "weekly": N_("per week"), "monthly": N_("per month"), "quarterly": N_("per quarter"),
    "yearly": N_("per year"),
}


# An order's settlement as a badge class (badge-<key>; portal.css colours each key).
SETTLEMENT_BADGES: Final = {
    Settlement.PAID: "paid", Settlement.PARTIALLY_REFUNDED: "partially_refunded",
    Settlement.REFUNDED: "refunded", Settlement.PAYMENT_FAILED: "payment_failed",
    Settlement.AWAITING_PAYMENT: "pending", Settlement.CANCELED: "canceled",
}

# Why a payment failed, as the buyer reads it. Gateways and providers send codes
# (Stripe-style decline codes, the TestGateway's, Waffo's failureReason); a page never
# prints one. Lost, stolen and fraud codes read as a plain decline on purpose: the card
# issuer's suspicion is not told to whoever holds the card.
_DECLINED = N_("The card was declined")
_NOT_PROCESSED = N_("The payment could not be processed")
_EXPIRED = N_("The card has expired")
_VERIFY = N_("Your bank asked for extra verification")
_LIMIT = N_("The card's limit was reached")
_UNSUPPORTED = N_("The card does not support this payment")
FAILURE_LABELS: Final = {
    "insufficient_funds": N_("Insufficient funds"),
    "card_declined": _DECLINED, "generic_decline": _DECLINED, "declined": _DECLINED,
    "do_not_honor": _DECLINED, "do_not_try_again": _DECLINED, "call_issuer": _DECLINED,
    "lost_card": _DECLINED, "stolen_card": _DECLINED, "fraudulent": _DECLINED,
    "pickup_card": _DECLINED, "restricted_card": _DECLINED, "security_violation": _DECLINED,
    "merchant_blacklist": _DECLINED, "revocation_of_authorization": _DECLINED,
    "no_action_taken": _DECLINED, "invalid_account": _DECLINED,
    "new_account_information_available": _DECLINED,
    "expired_card": _EXPIRED, "invalid_expiry_month": _EXPIRED, "invalid_expiry_year": _EXPIRED,
    "incorrect_cvc": N_("The security code is incorrect"),
    "invalid_cvc": N_("The security code is incorrect"),
    "incorrect_number": N_("The card number is incorrect"),
    "invalid_number": N_("The card number is incorrect"),
    "incorrect_zip": N_("The postal code does not match the card"),
    "authentication_required": _VERIFY, "authentication_failed": _VERIFY,
    "approve_with_id": _VERIFY, "offline_pin_required": _VERIFY,
    "online_or_offline_pin_required": _VERIFY,
    "card_velocity_exceeded": _LIMIT, "withdrawal_count_limit_exceeded": _LIMIT,
    "card_not_supported": _UNSUPPORTED, "currency_not_supported": _UNSUPPORTED,
    "transaction_not_allowed": _UNSUPPORTED, "not_permitted": _UNSUPPORTED,
    "service_not_allowed": _UNSUPPORTED,
    "processing_error": _NOT_PROCESSED, "issuer_not_available": _NOT_PROCESSED,
    "try_again_later": _NOT_PROCESSED, "reenter_transaction": _NOT_PROCESSED,
    "timeout": _NOT_PROCESSED, "payment_error": _NOT_PROCESSED,
    "duplicate_transaction": N_("This payment was already made"),
}
FAILURE_FALLBACK: Final = N_("The payment did not go through")
_CODE_SEPARATORS = re.compile(r"[\s.\-]+")


def failure_label(reason: str) -> str:
    """The msgid for a payment's failure reason: "insufficient_funds", "Insufficient
    funds" and "card-declined" alike; anything unknown (free text included) reads as a
    generic failure, so no raw code or provider English reaches a page."""
    code = _CODE_SEPARATORS.sub("_", reason.strip().lower())
    return FAILURE_LABELS.get(code, FAILURE_FALLBACK)


def field_messages(gettext: Callable[[str], str], keys: Mapping[str, str]) -> dict[str, str]:
    """Field -> message in the page's language, from each field's message key (an
    unknown key reads "Please check your input": a key is never shown)."""
    return {field: gettext(key_message(key) or N_("Please check your input"))
            for field, key in keys.items()}


def key_message(key: str | None) -> str | None:
    """The msgid a buyer reads for an error's key; None for an error without one."""
    return MESSAGES.get(key) if key else None


__all__ = ["FAILURE_FALLBACK", "FAILURE_LABELS", "NAVIGATION", "N_", "PERIOD_LABELS",
           "REASON_LABELS", "SETTLEMENT_BADGES", "STATUS_LABELS", "failure_label",
           "field_messages", "key_message"]
