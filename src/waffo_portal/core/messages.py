"""Message keys: the one table from a key that an error carries to the msgid a buyer reads.

Errors name what went wrong with a stable key (``PortalError.key``, and
``ValidationError.keys`` per field); the web layer looks the key up here and translates
the msgid in the buyer's language. Extraction (``scripts/i18n.py``) reads this table, so a
key added here reaches the ``portal`` catalogs; ``tests/i18n`` walks every key in every
locale. Nothing matches English text between layers.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final


def N_(message: str) -> str:
    """Marks a msgid for extraction; returns it unchanged."""
    return message


MESSAGES: Final[Mapping[str, str]] = MappingProxyType({
    # plan changes (proration and the use case)
    "plan.already_current": N_("This is already your plan"),
    "plan.not_replaceable": N_("This plan cannot replace your current plan"),
    "plan.other_currency": N_("This plan is billed in another currency"),
    "plan.past_due": N_(
        "Your last payment failed; update your payment method before changing plan"),
    "plan.canceling": N_(
        "This subscription ends at the period end; reactivate it before changing plan"),
    "plan.ended": N_("This subscription has ended"),
    "plan.period_not_open": N_("The current billing period is not open; try again shortly"),
    "plan.not_offered": N_("Choose one of the plans offered"),
    "plan.price_negative": N_("A plan price cannot be negative"),
    "form.expired": N_("The form expired; please try again"),
    "subscription.change_superseded": N_("Another change to this subscription was saved "
                                         "first; this one was not applied and its "
                                         "charge was voided"),
    "subscription.change_in_progress": N_(
        "Another change to this subscription is in progress; try again shortly"),
    # cancel and reactivate
    "cancel.reason_invalid": N_("Choose a reason from the list"),
    "cancel.comment_too_long": N_("Keep the comment under 1000 characters"),
    "cancel.comment_characters": N_("The comment contains characters that are not allowed"),
    "cancel.not_cancelable": N_("This subscription is already canceled or ended"),
    "reactivate.not_canceling": N_("Only a subscription set to cancel can be reactivated"),
    "reactivate.ended": N_("This subscription has already ended"),
    # login, links and sessions
    "login.email_invalid": N_("Enter a valid email address"),
    "login.delivery_failed": N_("The email could not be sent"),
    "link.invalid": N_("The link is not valid"),
    "link.used": N_("The link was already used"),
    "link.revoked": N_("The link was replaced by a newer one"),
    "link.expired": N_("The link has expired"),
    "session.expired": N_("Your session expired; please log in again"),
    "redirect.refused": N_("Use a path on this site or an allowed https address"),
    # payments
    "payment.declined": N_("Your card was declined"),
    "payment.timeout": N_("The payment provider did not answer"),
    # merchant-side reports and data
    "report.range_invalid": N_("The end of the range must be after its start"),
    "money.currency_unknown": N_("This currency is not supported"),
    "money.too_many_decimals": N_("This amount has more decimals than its currency allows"),
    # the sync API and webhooks (core.sync): read by the merchant's developers
    "sync.id_invalid": N_("Use an id of 1 to 64 characters without spaces at either end"),
    "sync.text_invalid": N_("This text is empty, too long or holds control characters"),
    "sync.revision_invalid": N_("The revision must be a whole number of zero or more"),
    "sync.locale_unknown": N_("This language is not supported"),
    "sync.currency_mismatch": N_("This amount is in another currency than the order"),
    "sync.amount_negative": N_("This amount cannot be negative"),
    "sync.period_invalid": N_("The end of the period must be after its start"),
    "sync.lines_missing": N_("An order needs at least one line"),
    "sync.quantity_invalid": N_("The quantity must be at least 1"),
    "sync.line_amount": N_("The line amount must be the quantity times the unit price"),
    "sync.subtotal_mismatch": N_("The subtotal must be the sum of the lines"),
    "sync.total_mismatch": N_("The total must be the subtotal plus the tax"),
    "sync.tax_rate_invalid": N_("The tax rate must be a percent from 0 to 100"),
    "sync.reverse_charge_taxed": N_("A reverse-charged order must carry no tax"),
    "sync.too_many_lines": N_("An order may have at most 250 lines"),
    "sync.refunds_exceed": N_("The refunds add up to more than the payment"),
    "sync.kind_unknown": N_("This kind of record is not known"),
    "sync.keep_unknown": N_("Only the fields the portal can keep may be listed here"),
    "sync.payment_missing": N_("The payment of this refund is not known yet"),
    "webhook.signature_invalid": N_("The webhook signature is not valid"),
    "webhook.payload_invalid": N_("The webhook body could not be read"),
    "provider.unavailable": N_("The billing provider could not be reached; try again shortly"),
    "plan.change_pending": N_("A change of this subscription awaits confirmation"),
    "change.nothing_scheduled": N_("No change is scheduled for this subscription"),
    "order.not_open": N_("This order is not awaiting payment"),
    "invoice.not_issued": N_("This order has no invoice yet: it is issued once the order "
                             "is paid"),
    "invoice.no_receipt": N_("A receipt exists only for a paid or refunded order"),
    "invoice.too_large": N_("This document is too large to show here; please ask us for it"),
    "invoice.preparing": N_("Your document is being prepared; download it again in a "
                            "few seconds"),
    "invoice.render_busy": N_("Another of your documents is being prepared; please try again "
                              "in a moment"),
    "invoice.render_limit": N_("Too many documents prepared in a short time; please try "
                               "again in a minute"),
    "invoice.tax_treatment_locked": N_("An issued invoice keeps its country, business "
                                       "status and VAT ID: change them on the billing "
                                       "page for future orders, or ask us for a "
                                       "corrected invoice"),
    "invoice.revisions_exhausted": N_("Too many invoice corrections today; please try "
                                      "again tomorrow"),
    "provider.busy": N_(
        "The billing provider is still busy with this request; try again in a minute"),
    "provider.refused": N_("The billing provider refused this change; nothing was changed"),
    "provider.unpaid_balance": N_(
        "A subscription with an unpaid balance cannot be reactivated; pay the open amount first"),
    "provider.not_self_service": N_(
        "Plan changes are not enabled for this subscription; please contact us"),
    "provider.amount_invalid": N_("The billing provider sent an amount that could not be read"),
    "provider.order_unknown": N_("The billing provider does not know this order"),
    "provider.order_unreadable": N_("The billing provider sent an order that could not be read"),
    "provider.billing_read_only": N_(
        "Your billing details are kept by the billing provider; change them on its page"),
    # billing details (core.billing_details)
    "billing.control_chars": N_("Remove line breaks and other control characters"),
    "billing.too_long": N_("This is too long"),
    "billing.name_required": N_("Enter your full name"),
    "billing.address_required": N_("Enter your street address"),
    "billing.city_required": N_("Enter your city or town"),
    "billing.country_required": N_("Choose your country"),
    "billing.country_invalid": N_("Choose a valid country"),
    "billing.state_required": N_("Choose your state or province"),
    "billing.state_invalid": N_("Choose a valid state or province for this country"),
    "billing.state_other_country": N_("This state or province belongs to another country"),
    "billing.state_not_used": N_("This country has no states or provinces; leave this empty"),
    "billing.postal_code_required": N_("Enter your postal code"),
    "billing.postal_code_invalid": N_("Enter a valid postal code for this country"),
    "billing.postal_code_not_used": N_(
        "This country does not use postal codes; leave this empty"),
    "billing.postal_code_state_mismatch": N_(
        "This postal code is not in the chosen state or province"),
    "billing.business_name_required": N_("Enter the business name"),
    "billing.tax_id_invalid": N_("Enter a valid tax ID for this country"),
    "billing.tax_id_checksum": N_("This tax ID is not valid; check it for typos"),
    "billing.tax_id_length": N_("This tax ID has the wrong number of characters"),
    "billing.tax_id_other_country": N_("This tax ID belongs to another country"),
    "billing.tax_id_characters": N_("Use only letters, digits, spaces and - . /"),
    "billing.is_business_invalid": N_("Choose whether you buy as a business"),
})


def message_for(key: str) -> str:
    """The msgid of a key; an unknown key is a bug and fails loudly."""
    try:
        return MESSAGES[key]
    except KeyError:
        raise KeyError(f"unknown message key {key!r}: add it to core.messages.MESSAGES") from None
