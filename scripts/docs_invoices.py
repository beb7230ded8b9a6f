"""Render the invoices shown in docs/invoices.md and rasterise them to PNG.

    python scripts/docs_invoices.py [--out docs/images]

Three documents, each made by the portal's own code path (tax policy, sums, structured
lines, renderer): a German seller's invoice to a German business (19 % USt., prices
including VAT), a Japanese invoice (10 % consumption tax) and an Arabic receipt (15 %
VAT, a Latin street address kept in reading order). Needs poppler's ``pdftoppm``.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from waffo_portal.core.config import Branding
from waffo_portal.core.models import (
    BillingDetails,
    Buyer,
    Invoice,
    LineItem,
    LineKind,
    Order,
    OrderKind,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
)
from waffo_portal.core.money import Money
from waffo_portal.core.tax import RateTablePolicy, parse_rates, sums_from_gross
from waffo_portal.demo import DEMO_TAX_RATES
from waffo_portal.invoices.render import render_invoice_pdf, render_receipt_pdf

PAID = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
PERIOD_END = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
UPGRADED = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)
SELLERS = {
    "DE": Branding(name="Beispiel Cloud GmbH", support_email="rechnung@beispiel.example",
                   country="DE", address=("Dockstraße 1", "10115 Berlin", "Deutschland"),
                   tax_id="DE136695976"),
    "JP": Branding(name="Acme Cloud K.K.", support_email="billing@acme.example", country="JP",
                   address=("1-1 Marunouchi, Chiyoda-ku", "Tokyo 100-0005", "Japan"),
                   tax_id="T1234567890123"),
    "SA": Branding(name="Acme Cloud", support_email="billing@acme.example", country="IE",
                   address=("1 Dock Road", "Dublin D02 XY45", "Ireland"), tax_id="IE6388047V"),
}
RATES = parse_rates({**DEMO_TAX_RATES, "SA": "15"})


def _order(order_id: str, seller: Branding, details: BillingDetails,
           lines: tuple[LineItem, ...], status: OrderStatus, at: datetime) -> Order:
    total = Money(sum(line.amount.amount for line in lines), lines[0].amount.currency)
    treatment = RateTablePolicy(seller.country, RATES).treatment(details, total.currency)
    sums = sums_from_gross(total, treatment)
    return Order(order_id, "buyer", OrderKind.SUBSCRIPTION, status, total.currency, lines,
                 sums.subtotal, sums.tax, sums.total, treatment.rate, details, at, "sub",
                 prices_include_tax=True, reverse_charge=treatment.reverse_charge)


def german_b2b() -> tuple[Order, Invoice, list[Payment], Branding, Buyer]:
    details = BillingDetails("DE", "DE-BY", "80331", "Müller & Söhne GmbH", "DE129273398",
                             True, "Hans Müller", "Marienplatz 8", "3. OG", "München")
    eur = lambda cents: Money(cents, "EUR")  # noqa: E731
    lines = (LineItem("", 1, eur(3950), eur(3950), "team", UPGRADED, PERIOD_END,
                      LineKind.PRORATION_CHARGE, "Team"),
             LineItem("", 1, eur(-1450), eur(-1450), "pro", UPGRADED, PERIOD_END,
                      LineKind.PRORATION_CREDIT, "Pro"))
    order = _order("ord_de", SELLERS["DE"], details, lines, OrderStatus.COMPLETED, UPGRADED)
    invoice = Invoice("RE-2026-000142", order.id, "buyer", UPGRADED, details)
    return order, invoice, [], SELLERS["DE"], Buyer("buyer", "hans@mueller.example", "de",
                                                    "Hans Müller")


def japanese() -> tuple[Order, Invoice, list[Payment], Branding, Buyer]:
    details = BillingDetails("JP", "JP-13", "100-0005", "株式会社さくらソフト", "5835678256246",
                             True, "山田 健二", "丸の内1-1-1", "", "千代田区")
    line = LineItem("", 1, Money(3300, "JPY"), Money(3300, "JPY"), "pro", PAID, PERIOD_END,
                    LineKind.RENEWAL, "プロ")
    order = _order("ord_ja", SELLERS["JP"], details, (line,), OrderStatus.COMPLETED, PAID)
    invoice = Invoice("INV-000318", order.id, "buyer", PAID, details)
    return order, invoice, [], SELLERS["JP"], Buyer("buyer", "kenji@sakura.example", "ja",
                                                    "山田 健二")


def arabic() -> tuple[Order, Invoice, list[Payment], Branding, Buyer]:
    details = BillingDetails("SA", "", "11564", "شركة النخيل للتقنية", "300000000000003", True,
                             "ليلى العتيبي", "2233 King Fahd Road", "", "Riyadh")
    line = LineItem("", 1, Money(10900, "SAR"), Money(10900, "SAR"), "pro", PAID,
                    PERIOD_END, LineKind.RENEWAL, "Pro")
    order = _order("ord_ar", SELLERS["SA"], details, (line,), OrderStatus.COMPLETED, PAID)
    invoice = Invoice("INV-000207", order.id, "buyer", PAID, details)
    payment = Payment("pay_ar", order.id, "buyer", order.total, PaymentStatus.SUCCEEDED,
                      PAID, PaymentMethod("visa", "4242"))
    return order, invoice, [payment], SELLERS["SA"], Buyer("buyer", "layla@nakheel.example",
                                                           "ar", "ليلى العتيبي")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/images"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    jobs = (("invoice-de-b2b", "de", german_b2b, render_invoice_pdf),
            ("invoice-ja", "ja", japanese, render_invoice_pdf),
            ("receipt-ar", "ar", arabic, render_receipt_pdf))
    with tempfile.TemporaryDirectory() as scratch:
        for name, locale, build, render in jobs:
            order, invoice, payments, branding, buyer = build()
            pdf = Path(scratch) / f"{name}.pdf"
            pdf.write_bytes(render(order, invoice, payments, branding, locale, buyer=buyer))
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf),
                            str(args.out / name)], check=True)
            print(args.out / f"{name}.png")


if __name__ == "__main__":
    main()
