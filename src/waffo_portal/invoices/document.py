"""The invoice view model: every value already formatted and worded for one locale.

Built from the stored order alone: what the lines say, which tax it was and
whether the buyer reverse-charges it were all decided when the order was made;
nothing here recomputes them from today's billing details. Templates only print
these strings (and translate their own fixed labels), so the same document
renders to HTML and PDF alike, and its ``cache_key`` says exactly when a
rendered file may be reused.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Final

import attrs
from babel.dates import format_date
from babel.numbers import format_decimal

from ..core.addresses import postal_lines
from ..core.config import Branding
from ..core.models import Buyer, Invoice, LineItem, Order, Payment, PaymentStatus
from ..core.money import Money
from ..core.settlement import SettlementView, settle
from ..i18n import babel_locale_name, get_translations, normalize_locale, text_direction
from . import wording
from .wording import Gettext

log = logging.getLogger("waffo_portal.invoices")
#: Bump whenever a template or this module changes what a document looks like.
TEMPLATE_VERSION: Final = "6"
_BRANDS: Final = {"visa": "Visa", "mastercard": "Mastercard", "amex": "American Express",
                  "jcb": "JCB", "unionpay": "UnionPay", "discover": "Discover",
                  "diners": "Diners Club"}
_TOOK_MONEY: Final = frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED})


@attrs.frozen
class Row:
    description: str
    period: str  # "start – end", or "" for a line without a service period
    quantity: str
    unit_price: str
    amount: str


@attrs.frozen
class SumLine:
    label: str
    amount: str
    grand: bool = False  # the total: printed in bold under a rule


@attrs.frozen
class Party:
    """Seller or buyer: the address block, then email and tax id if there are any."""

    lines: tuple[str, ...]
    tax_id_label: str = ""
    tax_id: str = ""
    email: str = ""


@attrs.frozen
class RefundLine:
    date: str
    amount: str  # negative: what went back to the buyer


@attrs.frozen
class PaymentInfo:
    paid_date: str
    amount: str
    method: str = ""  # "Visa •••• 4242"
    refunds: tuple[RefundLine, ...] = ()
    net_paid: str = ""


@attrs.frozen
class InvoiceDocument:
    kind: str  # "invoice" or "receipt"
    locale: str
    direction: str
    number: str
    issue_date: str
    corrected: bool
    corrected_date: str
    seller: Party
    buyer: Party
    logo_path: str
    rows: tuple[Row, ...]
    sums: tuple[SumLine, ...]  # in print order; exactly one is the grand total
    currency: str
    status: str  # a core.settlement.Settlement value
    status_label: str
    reverse_charge: bool
    tax_note: str
    payment: PaymentInfo | None

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"

    @property
    def sums_before_total(self) -> tuple[SumLine, ...]:
        return self.sums[:self._total_index]

    @property
    def sums_from_total(self) -> tuple[SumLine, ...]:
        return self.sums[self._total_index:]

    @property
    def _total_index(self) -> int:
        return next(i for i, line in enumerate(self.sums) if line.grand)

    def cache_key(self, fmt: str, extra: str = "") -> str:
        """Changes whenever anything printed, the template version or the format changes."""
        text = repr((TEMPLATE_VERSION, fmt, extra, attrs.astuple(self)))
        return hashlib.sha256(text.encode()).hexdigest()


@attrs.frozen
class _Context:
    locale: str  # the portal's tag ("pt-BR")
    babel: str  # babel's name ("pt_BR")
    gettext: Gettext
    rtl: bool

    def money(self, value: Money) -> str:
        return value.format(self.babel)

    def date(self, moment: datetime | None) -> str:
        if moment is None:
            return ""
        # Dates format with Latin digits in every supported locale (CLDR patterns).
        return str(format_date(moment.date(), "long", locale=self.babel))


def build_document(order: Order, invoice: Invoice, payments: Sequence[Payment],
                   branding: Branding, locale: str, kind: str = "invoice",
                   buyer: Buyer | None = None) -> InvoiceDocument:
    """Format everything an invoice (or receipt) shows, in ``locale``.

    A receipt needs a payment that took money: ValueError otherwise, so an unpaid
    order can never be printed as "Receipt"."""
    if kind not in ("invoice", "receipt"):
        raise ValueError(f"unknown document kind {kind!r}")
    settled = settle(order, payments)
    if kind == "receipt" and not settled.state.charged:
        raise ValueError(f"no receipt for an order that is {settled.state.value}")
    loc = normalize_locale(locale) or "en"
    ctx = _Context(loc, babel_locale_name(loc), get_translations(loc, wording.DOMAIN).gettext,
                   text_direction(loc) == "rtl")
    _check_sums(order)
    return InvoiceDocument(
        kind=kind, locale=loc, direction=text_direction(loc), number=invoice.number,
        issue_date=ctx.date(invoice.issued_at), corrected=invoice.revision > 0,
        corrected_date=ctx.date(invoice.revised_at) if invoice.revision > 0 else "",
        seller=_seller(branding, ctx), buyer=_buyer(order, invoice, buyer, ctx),
        logo_path=branding.logo_path, rows=tuple(_row(item, ctx) for item in order.line_items),
        sums=_sums(order, ctx, branding.country), currency=order.currency,
        status=settled.state.value,
        status_label=wording.settlement_label(settled.state, ctx.gettext),
        reverse_charge=order.reverse_charge, tax_note=order.tax_note,
        payment=_payment(settled, payments, ctx) if kind == "receipt" else None,
    )


def _seller(branding: Branding, ctx: _Context) -> Party:
    lines = tuple(line for line in (branding.name, *branding.address) if line)
    label = wording.tax_id_label(branding.country, ctx.gettext) if branding.tax_id else ""
    return Party(lines, label, branding.tax_id)


def _buyer(order: Order, invoice: Invoice, buyer: Buyer | None, ctx: _Context) -> Party:
    # The invoice's own copy if it was corrected, else the details the order was made with.
    details = invoice.billing_details or order.billing_details
    lines = postal_lines(details, ctx.locale)
    if not details.name and buyer is not None and buyer.name:
        lines = (buyer.name, *lines)  # a person billed without a name on the details
    tax_id = details.tax_id.strip() if details.is_business else ""
    label = wording.tax_id_label(details.country, ctx.gettext) if tax_id else ""
    return Party(lines, label, tax_id, buyer.email if buyer is not None else "")


def _row(item: LineItem, ctx: _Context) -> Row:
    period = ""
    if item.period_start and item.period_end:
        period = f"{ctx.date(item.period_start)} – {ctx.date(item.period_end)}"
    quantity = str(format_decimal(item.quantity, locale=ctx.babel, numbering_system="latn"))
    return Row(wording.line_description(item, ctx.gettext, rtl=ctx.rtl), period, quantity,
               ctx.money(item.unit_price), ctx.money(item.amount))


def _sums(order: Order, ctx: _Context, seller_country: str) -> tuple[SumLine, ...]:
    """One rule: gross lines add up to the total, which contains the tax; net lines add
    up to the subtotal, to which the tax is added."""
    _ = ctx.gettext
    tax = SumLine(wording.tax_line(order, _, ctx.locale, seller_country), ctx.money(order.tax))
    total = SumLine(_("Total"), ctx.money(order.total), grand=True)
    if order.prices_include_tax:
        return total, tax, SumLine(_("Net amount"), ctx.money(order.subtotal))
    return SumLine(_("Subtotal"), ctx.money(order.subtotal)), tax, total


def _check_sums(order: Order) -> None:
    """Log (never print) an order whose stored sums break the rule the document shows."""
    lines = Money.zero(order.currency)
    for item in order.line_items:
        lines = lines + item.amount
    target = order.total if order.prices_include_tax else order.subtotal
    if lines != target or order.subtotal + order.tax != order.total:
        log.warning("order %s: its lines and sums do not add up as a %s order", order.id,
                    "tax-inclusive" if order.prices_include_tax else "net")


def _payment(settled: SettlementView, payments: Sequence[Payment],
             ctx: _Context) -> PaymentInfo | None:
    first = settled.paid_at
    if first is None:
        return None
    method = ""
    if first.method is not None:
        brand = _BRANDS.get(first.method.brand.lower(), first.method.brand.title())
        method = f"{brand} •••• {first.method.last4}"
    refunds = sorted((r for p in payments if p.status in _TOOK_MONEY for r in p.refunds),
                     key=lambda refund: refund.created_at)
    return PaymentInfo(
        ctx.date(first.created_at), ctx.money(settled.paid), method,
        tuple(RefundLine(ctx.date(r.created_at), ctx.money(-r.amount)) for r in refunds),
        ctx.money(settled.net_paid) if refunds else "",
    )
