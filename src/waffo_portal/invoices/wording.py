"""How the portal words what it prints about an order, in the reader's language.

One place for the documents and the web pages alike (the ``invoices`` gettext
domain): the lines the portal made (stored as a kind and a plan name, never as
English text), the name of the tax, and where the order stands with its money.
Imports nothing heavy, so a web page can word a line without loading a PDF library.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Final

from babel.numbers import format_percent

from ..core.models import LineItem, LineKind, Order
from ..core.settlement import Settlement
from ..core.tax import TaxKind, tax_kind
from ..i18n import babel_locale_name, get_translations, normalize_locale, text_direction

Gettext = Callable[[str], str]
DOMAIN: Final = "invoices"
#: First-strong isolate and its closer: data keeps its own direction inside a
#: right-to-left line (UAX #9 isolates; xhtml2pdf's bidi honours them and never draws them).
FSI: Final = "\u2068"
PDI: Final = "\u2069"


def N_(message: str) -> str:
    """Marks a msgid for extraction; translated where it is printed."""
    return message


#: Msgids with a ``{plan}`` placeholder: the plan's name as it was when the order was made.
LINE_WORDING: Final[Mapping[LineKind, str]] = {
    LineKind.PLAN_PERIOD: N_("{plan}"),
    LineKind.RENEWAL: N_("{plan}, renewal"),
    LineKind.PRORATION_CHARGE: N_("{plan}, remaining time"),
    LineKind.PRORATION_CREDIT: N_("Unused time on {plan}"),
}
TAX_NAMES: Final[Mapping[TaxKind, str]] = {
    TaxKind.VAT: N_("VAT"), TaxKind.GST: N_("GST"),
    TaxKind.CONSUMPTION: N_("Consumption tax"), TaxKind.SALES: N_("Sales tax"),
    TaxKind.TAX: N_("Tax"),
}
SETTLEMENT_LABELS: Final[Mapping[Settlement, str]] = {
    Settlement.PAID: N_("Paid"), Settlement.PARTIALLY_REFUNDED: N_("Partially refunded"),
    Settlement.REFUNDED: N_("Refunded"), Settlement.PAYMENT_FAILED: N_("Payment failed"),
    Settlement.AWAITING_PAYMENT: N_("Awaiting payment"), Settlement.CANCELED: N_("Canceled"),
}


def isolate(text: str) -> str:
    """``text`` as one first-strong isolate: "1 Dock Road" stays in that order in Arabic."""
    return f"{FSI}{text}{PDI}" if text else text


def line_description(item: LineItem, gettext: Gettext, *, rtl: bool = False) -> str:
    """What a line says: the merchant's text for CUSTOM lines, else the kind's wording
    around the stored plan name (isolated in right-to-left text: it is data)."""
    wording = LINE_WORDING.get(item.kind)
    if wording is None or not item.plan_name:
        return item.description  # CUSTOM, or a line stored before kinds existed
    plan = isolate(item.plan_name) if rtl else item.plan_name
    # replace(), not format(): a translation's other braces must not raise.
    return gettext(wording).replace("{plan}", plan)


def tax_name(country: str, gettext: Gettext) -> str:
    """The tax's name where the buyer is taxed ("VAT", "GST", ...), translated."""
    return gettext(TAX_NAMES[tax_kind(country)])


def percent(rate: Decimal, locale: str) -> str:
    """A percent rate ("19") as the locale writes it ("19 %" in German), Latin digits."""
    return str(format_percent(rate / 100, locale=babel_locale_name(locale),
                              numbering_system="latn", decimal_quantization=False))


def tax_with_rate(order: Order, gettext: Gettext, locale: str,
                  seller_country: str = "") -> str:
    """The tax the order carries, named for the buyer's country: "VAT 19%"."""
    return gettext("%(tax)s %(rate)s") % {
        # No buyer country: the order was taxed at home, where the seller is.
        "tax": tax_name(order.billing_details.country or seller_country, gettext),
        "rate": percent(order.tax_rate, locale)}


def tax_line(order: Order, gettext: Gettext, locale: str, seller_country: str = "") -> str:
    """The label of the order's tax amount: contained in gross prices, added to net ones."""
    tax = tax_with_rate(order, gettext, locale, seller_country)
    return gettext("Includes %(tax)s") % {"tax": tax} if order.prices_include_tax else tax


def tax_id_label(country: str, gettext: Gettext) -> str:
    """"VAT ID" where the tax is a VAT, else "Tax ID"."""
    return gettext("VAT ID") if tax_kind(country) is TaxKind.VAT else gettext("Tax ID")


def settlement_label(state: Settlement, gettext: Gettext) -> str:
    return gettext(SETTLEMENT_LABELS[state])


class Wording:
    """The wording functions bound to one language, for a page or a document."""

    def __init__(self, locale: str) -> None:
        self.locale = normalize_locale(locale) or "en"
        self.rtl = text_direction(self.locale) == "rtl"
        self.gettext: Gettext = get_translations(self.locale, DOMAIN).gettext

    def line(self, item: LineItem) -> str:
        return line_description(item, self.gettext, rtl=self.rtl)

    def settlement(self, state: Settlement) -> str:
        return settlement_label(state, self.gettext)

    def tax_line(self, order: Order, seller_country: str = "") -> str:
        return tax_line(order, self.gettext, self.locale, seller_country)


__all__ = ["FSI", "LINE_WORDING", "PDI", "SETTLEMENT_LABELS", "TAX_NAMES", "Wording",
           "isolate", "line_description", "percent", "settlement_label", "tax_id_label",
           "tax_line", "tax_name", "tax_with_rate"]
