"""Messages that come from the core (English msgids) and may be shown to a buyer.

The core raises errors whose messages are English source strings. The web layer shows
such a message only if it is listed here (and therefore extracted and translated in the
``portal`` catalogs); anything else gets a generic text for its status, so an internal
detail can never reach a page.
"""

from __future__ import annotations

from typing import Final

from ..core.billing_details import MESSAGES as BILLING_MESSAGES


def N_(message: str) -> str:
    return message


CORE_MESSAGES: Final = frozenset({
    # proration / plan changes
    N_("This is already your plan"),
    N_("This plan cannot replace your current plan"),
    N_("This plan is billed in another currency"),
    N_("Your last payment failed; update your payment method before changing plan"),
    N_("This subscription ends at the period end; reactivate it before changing plan"),
    N_("This subscription has ended"),
    N_("The current billing period is not open; try again shortly"),
    N_("Choose one of the plans offered"),
    N_("The form expired; please try again"),
    N_("Another change to this subscription is in progress; try again shortly"),
    # cancel / reactivate
    N_("Choose a reason from the list"),
    N_("Keep the comment under 1000 characters"),
    N_("The comment contains characters that are not allowed"),
    N_("This subscription is already canceled or ended"),
    N_("Only a subscription set to cancel can be reactivated"),
    N_("This subscription has already ended"),
    # login
    N_("Enter a valid email address"),
    # billing details (billing.MESSAGES, repeated so that extraction sees them)
    N_("Remove line breaks and other control characters"),
    N_("This is too long"),
    N_("Choose your country"),
    N_("Choose a valid country"),
    N_("Choose your state or province"),
    N_("Choose a valid state or province for this country"),
    N_("This state or province belongs to another country"),
    N_("This country has no states or provinces; leave this empty"),
    N_("Enter your postal code"),
    N_("Enter a valid postal code for this country"),
    N_("Enter the business name"),
    N_("Enter a valid tax ID for this country"),
    N_("This tax ID is not valid; check it for typos"),
    N_("This tax ID has the wrong number of characters"),
    N_("This tax ID belongs to another country"),
    N_("Use only letters, digits, spaces and - . /"),
    N_("Choose whether you buy as a business"),
})

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

assert set(BILLING_MESSAGES.values()) <= CORE_MESSAGES, "billing.MESSAGES changed: list them"


def shown(message: str) -> bool:
    return message in CORE_MESSAGES
