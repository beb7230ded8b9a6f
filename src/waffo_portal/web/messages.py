"""The web layer's own labels, and the buyer-facing text of an error's message key.

Errors carry message keys (``core.messages``); a page shows the msgid of the key,
translated. An error without a key gets a generic text for its class, so an internal
detail (a developer message) can never reach a page.
"""

from __future__ import annotations

from typing import Final

from ..core.messages import MESSAGES, N_

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


def key_message(key: str | None) -> str | None:
    """The msgid a buyer reads for an error's key; None for an error without one."""
    return MESSAGES.get(key) if key else None


__all__ = ["NAVIGATION", "N_", "PERIOD_LABELS", "REASON_LABELS", "STATUS_LABELS", "key_message"]
