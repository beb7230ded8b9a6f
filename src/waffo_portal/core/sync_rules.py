"""The rules a sync record must obey before anything is written (``core.sync``'s records).

:func:`problems` is the whole validation of one record, as field -> message key;
:func:`validate_all` raises one ValidationError naming every bad field of a batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from typing import Final, TypeAlias

from .billing_details import has_control_chars, validate_billing_details
from .exceptions import ValidationError
from .models import MAX_LINE_ITEMS, BillingDetails
from .money import Money
from .sync import (
    KEEPABLE,
    BillingDetailsRecord,
    BuyerRecord,
    InvoiceRecord,
    OrderRecord,
    PaymentRecord,
    PlanRecord,
    RefundRecord,
    SubscriptionRecord,
    SyncRecord,
)

MAX_ID_LENGTH: Final = 64
MAX_REVISION: Final = 2**63 - 1  # what a BIGINT holds
_MAX_EMAIL_LENGTH: Final = 320

# Validation: a dict of field -> message key; empty when the record may be written.
Problems: TypeAlias = dict[str, str]


def _bad_id(value: object) -> bool:
    return (not isinstance(value, str) or not value or len(value) > MAX_ID_LENGTH
            or has_control_chars(value) or value != value.strip())


def _check_ids(found: Problems, **ids: object) -> None:
    for field, value in ids.items():
        if _bad_id(value):
            found[field] = "sync.id_invalid"


def _check_text(found: Problems, field: str, value: str, *, required: bool = False,
                limit: int = 500) -> None:
    if (required and not value.strip()) or len(value) > limit or has_control_chars(value):
        found[field] = "sync.text_invalid"


def _check_money(found: Problems, field: str, value: Money, currency: str, *,
                 positive: bool = False) -> None:
    if value.currency != currency:
        found[field] = "sync.currency_mismatch"
    elif value.amount < 0 or (positive and value.amount == 0):
        found[field] = "sync.amount_negative"


def _check_revision(found: Problems, revision: object) -> None:
    if (not isinstance(revision, int) or isinstance(revision, bool)
            or not 0 <= revision <= MAX_REVISION):
        found["revision"] = "sync.revision_invalid"


def email_problem(email: str) -> str | None:
    """The message key if ``email`` cannot be a buyer's address, else None."""
    local, at, domain = email.strip().rpartition("@")
    if (not at or not local or "." not in domain.strip(".") or len(email) > _MAX_EMAIL_LENGTH
            or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in email.strip())):
        return "login.email_invalid"
    return None


def _plan(record: PlanRecord, found: Problems) -> None:
    plan = record.plan
    _check_ids(found, id=plan.id, product_group=plan.product_group)
    _check_text(found, "name", plan.name, required=True)
    _check_money(found, "price", plan.price, plan.price.currency)
    if plan.trial_days < 0:
        found["trial_days"] = "sync.amount_negative"


def _buyer(record: BuyerRecord, locales: Iterable[str], found: Problems) -> None:
    buyer = record.buyer
    _check_ids(found, id=buyer.id)
    problem = email_problem(buyer.email)
    if problem:
        found["email"] = problem
    if buyer.locale is not None and buyer.locale not in locales:
        found["locale"] = "sync.locale_unknown"
    _check_text(found, "name", buyer.name, limit=200)


def details_problems(details: BillingDetails, prefix: str = "") -> Problems:
    """The billing page's rules for details a provider sends, except that a field the
    provider left empty is not required (a country always is)."""
    return {f"{prefix}{field}": key for field, key in _details_problems(details)}


@lru_cache(maxsize=4096)  # a backfill repeats a handful of addresses a million times
def _details_problems(details: BillingDetails) -> tuple[tuple[str, str], ...]:
    raw = {"country": details.country, "state": details.state,
           "postal_code": details.postal_code, "business_name": details.business_name,
           "tax_id": details.tax_id, "is_business": "1" if details.is_business else "",
           "name": details.name, "address_line1": details.address_line1,
           "address_line2": details.address_line2, "city": details.city}
    try:
        validate_billing_details(raw)
    except ValidationError as exc:
        # What the provider did not collect is not wrong, nor a postal code the country
        # does not use (it is kept, never printed wrongly); what it sent must be valid.
        return tuple((field, key) for field, key in exc.keys.items()
                     if (not key.endswith("_required") or field == "country")
                     and key != "billing.postal_code_not_used")
    return ()


def _check_keep(found: Problems, record: SubscriptionRecord | OrderRecord) -> None:
    if not set(record.keep_stored) <= KEEPABLE[record.record_kind]:
        found["keep_stored"] = "sync.keep_unknown"


def _subscription(record: SubscriptionRecord, found: Problems) -> None:
    _check_keep(found, record)
    sub = record.subscription
    _check_ids(found, id=sub.id, buyer_id=sub.buyer_id, plan_id=sub.plan_id)
    if sub.current_period_end <= sub.current_period_start:
        found["current_period_end"] = "sync.period_invalid"
    if sub.scheduled_change is not None and _bad_id(sub.scheduled_change.plan_id):
        found["scheduled_change.plan_id"] = "sync.id_invalid"
    if sub.cancellation is not None:
        _check_text(found, "cancellation.comment", sub.cancellation.comment, limit=1000)


def _order_lines(record: OrderRecord, found: Problems) -> None:
    currency, subtotal = record.currency, 0
    if not record.lines:
        found["lines"] = "sync.lines_missing"
    elif len(record.lines) > MAX_LINE_ITEMS:
        found["lines"] = "sync.too_many_lines"
        return
    for index, line in enumerate(record.lines):
        field = f"lines[{index}]"
        _check_text(found, f"{field}.description", line.description, required=True)
        _check_money(found, f"{field}.unit_net", line.unit_net, currency)
        _check_money(found, f"{field}.net", line.net, currency)
        if line.quantity < 1:
            found[f"{field}.quantity"] = "sync.quantity_invalid"
        elif (line.unit_net.currency == line.net.currency
              and line.unit_net.amount * line.quantity != line.net.amount):
            found[f"{field}.net"] = "sync.line_amount"
        if line.period_start and line.period_end and line.period_end <= line.period_start:
            found[f"{field}.period_end"] = "sync.period_invalid"
        subtotal += line.net.amount
    if "subtotal_net" not in found and record.lines and subtotal != record.subtotal_net.amount:
        found["subtotal_net"] = "sync.subtotal_mismatch"


def _order(record: OrderRecord, found: Problems) -> None:
    _check_keep(found, record)
    _check_ids(found, id=record.id, buyer_id=record.buyer_id)
    if record.subscription_id is not None:
        _check_ids(found, subscription_id=record.subscription_id)
    currency = record.currency
    _check_money(found, "subtotal_net", record.subtotal_net, currency)
    _check_money(found, "tax", record.tax, currency)
    _check_money(found, "total_gross", record.total_gross, currency)
    _order_lines(record, found)
    if not {"subtotal_net", "tax", "total_gross"} & found.keys() and (
            record.subtotal_net.amount + record.tax.amount != record.total_gross.amount):
        found["total_gross"] = "sync.total_mismatch"
    rate = record.tax_rate_percent
    if not isinstance(rate, Decimal) or not rate.is_finite() or not 0 <= rate <= 100:
        found["tax_rate_percent"] = "sync.tax_rate_invalid"
    if record.reverse_charge and record.tax.amount != 0 and "tax" not in found:
        found["tax"] = "sync.reverse_charge_taxed"  # the note and a tax contradict
    _check_text(found, "tax_note", record.tax_note)
    found.update(details_problems(record.billing_details, "billing_details."))


def _payment(record: PaymentRecord, found: Problems) -> None:
    payment = record.payment
    _check_ids(found, id=payment.id, order_id=payment.order_id, buyer_id=payment.buyer_id)
    currency = payment.amount.currency
    _check_money(found, "amount", payment.amount, currency)
    refunded = 0
    for index, refund in enumerate(payment.refunds):
        _check_ids(found, **{f"refunds[{index}].id": refund.id})
        _check_money(found, f"refunds[{index}].amount", refund.amount, currency, positive=True)
        refunded += refund.amount.amount if refund.amount.currency == currency else 0
    if refunded > payment.amount.amount:
        found["refunds"] = "sync.refunds_exceed"
    _check_text(found, "failure_reason", payment.failure_reason, limit=200)


def _refund(record: RefundRecord, found: Problems) -> None:
    _check_ids(found, order_id=record.order_id, payment_id=record.payment_id,
               id=record.refund.id)
    amount = record.refund.amount
    _check_money(found, "amount", amount, amount.currency, positive=True)
    _check_text(found, "reason", record.refund.reason)


def _invoice(record: InvoiceRecord, found: Problems) -> None:
    invoice = record.invoice
    _check_ids(found, number=invoice.number, order_id=invoice.order_id,
               buyer_id=invoice.buyer_id)
    if invoice.billing_details is not None:
        found.update(details_problems(invoice.billing_details, "billing_details."))


def problems(record: SyncRecord, locales: Iterable[str]) -> Problems:
    """Every problem of one record as field -> message key (empty: it may be written)."""
    found: Problems = {}
    _check_revision(found, record.revision)
    if isinstance(record, PlanRecord):
        _plan(record, found)
    elif isinstance(record, BuyerRecord):
        _buyer(record, locales, found)
    elif isinstance(record, BillingDetailsRecord):
        _check_ids(found, buyer_id=record.buyer_id)
        found.update(details_problems(record.details))
    elif isinstance(record, SubscriptionRecord):
        _subscription(record, found)
    elif isinstance(record, OrderRecord):
        _order(record, found)
    elif isinstance(record, PaymentRecord):
        _payment(record, found)
    elif isinstance(record, RefundRecord):
        _refund(record, found)
    else:
        _invoice(record, found)
    return found


def validate_all(records: Iterable[SyncRecord], locales: Iterable[str]) -> None:
    """Raise one ValidationError naming every bad field as ``records[i].<field>``."""
    allowed = frozenset(locales)
    found: dict[str, str] = {}
    for index, record in enumerate(records):
        for field, key in problems(record, allowed).items():
            found[f"records[{index}].{field}"] = key
    if found:
        raise ValidationError(found)
