"""The invoice view model: every value already formatted for one locale.

Templates only print these strings (and translate their own labels), so the
same document renders to HTML and PDF alike, and its ``cache_key`` says
exactly when a rendered file may be reused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Final

import attrs
import pycountry
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from ..core.config import Branding
from ..core.models import (
    BillingDetails,
    Buyer,
    Invoice,
    LineItem,
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
)
from ..i18n import babel_locale, babel_locale_name, normalize_locale, text_direction

#: Bump whenever a template or this module changes what a document looks like.
TEMPLATE_VERSION: Final = "4"
EU_MEMBER_STATES: Final = frozenset((
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
))
_BRANDS: Final = {"visa": "Visa", "mastercard": "Mastercard", "amex": "American Express",
                  "jcb": "JCB", "unionpay": "UnionPay", "discover": "Discover",
                  "diners": "Diners Club"}


@attrs.frozen
class Row:
    description: str
    period: str
    quantity: str
    unit_price: str
    amount: str


@attrs.frozen
class PaymentInfo:
    paid_date: str
    amount: str
    brand: str = ""
    last4: str = ""


@attrs.frozen
class InvoiceDocument:
    kind: str  # "invoice" or "receipt"
    locale: str
    direction: str
    number: str
    order_id: str
    issue_date: str
    revised_date: str
    merchant_name: str
    merchant_address: tuple[str, ...]
    merchant_tax_id: str
    logo_path: str
    buyer_name: str
    buyer_email: str
    buyer_business: str
    buyer_address: tuple[str, ...]
    buyer_tax_id: str
    rows: tuple[Row, ...]
    subtotal: str
    tax_rate: str
    tax: str
    total: str
    currency: str
    status: str  # "paid", "unpaid", "refunded", "canceled"
    reverse_charge: bool
    payment: PaymentInfo | None

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"

    def cache_key(self, fmt: str, extra: str = "") -> str:
        """Changes whenever anything printed, the template version or the format changes."""
        text = repr((TEMPLATE_VERSION, fmt, extra, attrs.astuple(self)))
        return hashlib.sha256(text.encode()).hexdigest()


def build_document(order: Order, invoice: Invoice, payments: Sequence[Payment],
                   branding: Branding, locale: str, kind: str = "invoice",
                   buyer: Buyer | None = None) -> InvoiceDocument:
    """Format everything an invoice (or receipt) shows, in ``locale``."""
    if kind not in ("invoice", "receipt"):
        raise ValueError(f"unknown document kind {kind!r}")
    loc = normalize_locale(locale) or "en"
    details = invoice.billing_details or order.billing_details
    return InvoiceDocument(
        kind=kind, locale=loc, direction=text_direction(loc), number=invoice.number,
        order_id=order.id, issue_date=_date(invoice.issued_at, loc),
        revised_date=_date(invoice.revised_at, loc) if invoice.revision else "",
        merchant_name=branding.name, merchant_address=tuple(branding.address),
        merchant_tax_id=branding.tax_id, logo_path=branding.logo_path,
        buyer_name=buyer.name if buyer else "", buyer_email=buyer.email if buyer else "",
        buyer_business=details.business_name, buyer_address=_address(details, loc),
        buyer_tax_id=details.tax_id,
        rows=tuple(_row(item, loc) for item in order.line_items),
        subtotal=order.subtotal.format(babel_locale_name(loc)),
        tax_rate=_percent(order.tax_rate, loc), tax=order.tax.format(babel_locale_name(loc)),
        total=order.total.format(babel_locale_name(loc)), currency=order.currency,
        status=_status(order, payments), reverse_charge=reverse_charge_applies(details, branding),
        payment=_payment(payments, loc) if kind == "receipt" else None,
    )


def reverse_charge_applies(details: BillingDetails, branding: Branding) -> bool:
    """An EU business with a VAT id, billed from another EU member state (Art. 196)."""
    merchant, buyer = branding.country.upper(), details.country.upper()
    return (details.is_business and bool(details.tax_id.strip())
            and merchant in EU_MEMBER_STATES and buyer in EU_MEMBER_STATES and merchant != buyer)


def _date(moment: datetime | None, locale: str) -> str:
    if moment is None:
        return ""
    # Dates format with Latin digits in every supported locale (CLDR patterns).
    return str(format_date(moment.date(), "long", locale=babel_locale_name(locale)))


def _percent(rate: Decimal, locale: str) -> str:
    return str(format_percent(rate / 100, locale=babel_locale_name(locale),
                              numbering_system="latn", decimal_quantization=False))


def _row(item: LineItem, locale: str) -> Row:
    name = babel_locale_name(locale)
    period = ""
    if item.period_start and item.period_end:
        period = f"{_date(item.period_start, locale)} – {_date(item.period_end, locale)}"
    quantity = str(format_decimal(item.quantity, locale=name, numbering_system="latn"))
    return Row(item.description, period, quantity, item.unit_price.format(name),
               item.amount.format(name))


def _address(details: BillingDetails, locale: str) -> tuple[str, ...]:
    region = _subdivision_name(details.state)
    first = " ".join(part for part in (region, details.postal_code) if part)
    country = babel_locale(locale).territories.get(details.country.upper(), details.country)
    return tuple(line for line in (first, str(country)) if line)


def _subdivision_name(code: str) -> str:
    if not code:
        return ""
    found = pycountry.subdivisions.get(code=code.upper())  # type: ignore[no-untyped-call]
    return str(found.name) if found is not None else code


def _status(order: Order, payments: Sequence[Payment]) -> str:
    if order.status is OrderStatus.REFUNDED or any(
            p.status is PaymentStatus.REFUNDED for p in payments):
        return "refunded"
    if order.status is OrderStatus.CANCELED:
        return "canceled"
    if order.status is OrderStatus.COMPLETED or any(
            p.status is PaymentStatus.SUCCEEDED for p in payments):
        return "paid"
    return "unpaid"


def _payment(payments: Sequence[Payment], locale: str) -> PaymentInfo | None:
    paid = [p for p in payments if p.status in (PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED)]
    if not paid:
        return None
    first = paid[0]
    brand = last4 = ""
    if first.method is not None:
        brand = _BRANDS.get(first.method.brand.lower(), first.method.brand.title())
        last4 = first.method.last4
    return PaymentInfo(_date(first.created_at, locale),
                       first.amount.format(babel_locale_name(locale)), brand, last4)
