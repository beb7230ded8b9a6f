"""A realistic sample invoice per locale, for the CLI, the docs and the benchmarks."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Final

import attrs

from ..core.config import Branding
from ..core.models import (
    BillingDetails,
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
from ..core.money import Money
from ..core.tax import EU_MEMBER_STATES
from ..i18n import normalize_locale

ISSUED: Final = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)


@attrs.frozen
class DemoBuyer:
    business: str
    country: str
    state: str
    postal_code: str
    tax_id: str
    currency: str
    tax_rate: str
    product: str


#: A business buyer per locale, named in its own script.
DEMO_BUYERS: Final[dict[str, DemoBuyer]] = {
    "en": DemoBuyer("Northwind Traders Ltd", "GB", "", "EC1A 1BB", "GB123456789", "GBP", "20",
                    "Pro plan (monthly)"),
    "zh-Hans": DemoBuyer("上海云帆科技有限公司", "CN", "CN-SH", "200120", "91310115MA1K4XXXXX",
                         "CNY", "6", "专业版（月付）"),
    "zh-Hant": DemoBuyer("台灣雲端科技股份有限公司", "TW", "TW-TPE", "110", "12345675", "TWD", "5",
                         "專業版（月繳）"),
    "ja": DemoBuyer("株式会社さくらソフト", "JP", "JP-13", "100-0005", "T1234567890123", "JPY",
                    "10", "プロプラン（月額）"),
    "ko": DemoBuyer("주식회사 한빛소프트", "KR", "KR-11", "04524", "123-45-67890", "KRW", "10",
                    "프로 요금제(월간)"),
    "th": DemoBuyer("บริษัท สยามซอฟต์ จำกัด", "TH", "TH-10", "10110", "0105561234567", "THB",
                    "7", "แพ็กเกจโปร (รายเดือน)"),
    "vi": DemoBuyer("Công ty TNHH Phần mềm Sài Gòn", "VN", "", "700000", "0312345678", "VND",
                    "10", "Gói Pro (hằng tháng)"),
    "id": DemoBuyer("PT Nusantara Digital", "ID", "ID-JK", "10110", "01.234.567.8-901.000",
                    "IDR", "11", "Paket Pro (bulanan)"),
    "ms": DemoBuyer("Syarikat Teknologi Maju Sdn Bhd", "MY", "MY-14", "50450", "C1234567890",
                    "MYR", "8", "Pelan Pro (bulanan)"),
    "es": DemoBuyer("Soluciones Ibéricas S.L.", "ES", "ES-M", "28013", "ESB12345674", "EUR",
                    "0", "Plan Pro (mensual)"),
    "pt-BR": DemoBuyer("Soluções Paulistas Ltda.", "BR", "BR-SP", "01310-100",
                       "12.345.678/0001-95", "BRL", "0", "Plano Pro (mensal)"),
    "fr": DemoBuyer("Société Générale de Logiciels SARL", "FR", "", "75002", "FR40303265045",
                    "EUR", "0", "Offre Pro (mensuelle)"),
    "de": DemoBuyer("Müller & Söhne GmbH", "DE", "DE-BE", "10115", "DE136695976", "EUR", "19",
                    "Pro-Tarif (monatlich)"),
    "ru": DemoBuyer("ООО «Северный ветер»", "RU", "RU-MOW", "101000", "7707083893", "RUB",
                    "20", "Тариф «Про» (ежемесячно)"),
    "pl": DemoBuyer("Przedsiębiorstwo Żółw Sp. z o.o.", "PL", "PL-14", "00-001",
                    "PL5260250274", "PLN", "0", "Plan Pro (miesięczny)"),
    "tr": DemoBuyer("Işık Yazılım A.Ş.", "TR", "TR-34", "34000", "1234567890", "TRY", "20",
                    "Pro paket (aylık)"),
    "ar": DemoBuyer("شركة النور للتقنية", "AE", "AE-DU", "00000", "100123456700003", "AED", "5",
                    "الباقة الاحترافية (شهرية)"),
}

DEMO_BRANDING: Final = Branding(
    name="Waffo Demo GmbH", support_email="billing@waffo.example",
    address=("Friedrichstraße 123", "10117 Berlin", "Germany"), tax_id="DE811907980",
    country="DE",
)


def demo_records(locale: str) -> tuple[Order, Invoice, list[Payment]]:
    """An order of two lines with tax, its invoice and the card payment that paid it."""
    buyer = DEMO_BUYERS[normalize_locale(locale) or "en"]
    unit = Money.from_decimal(_price(buyer.currency), buyer.currency)
    seats = unit * 3
    subtotal = unit + seats
    rate = Decimal(buyer.tax_rate)
    tax = Money.from_fraction(Fraction(subtotal.amount) * Fraction(rate) / 100, buyer.currency)
    details = BillingDetails(country=buyer.country, state=buyer.state,
                             postal_code=buyer.postal_code, business_name=buyer.business,
                             tax_id=buyer.tax_id, is_business=True)
    order = Order(
        id="ord_demo_0042", buyer_id="buyer_demo", kind=OrderKind.SUBSCRIPTION,
        status=OrderStatus.COMPLETED, currency=buyer.currency,
        # The plan's line is worded by the document; the seats are the merchant's text.
        line_items=(LineItem("", 1, unit, unit, "pro", ISSUED,
                             datetime(2026, 4, 5, 9, 30, tzinfo=UTC), LineKind.PLAN_PERIOD,
                             buyer.product),
                    LineItem(buyer.product + " ×3", 3, unit, seats)),
        subtotal=subtotal, tax=tax, total=subtotal + tax, tax_rate=rate,
        billing_details=details, created_at=ISSUED, subscription_id="sub_demo",
        reverse_charge=_reverse_charged(details),
    )
    invoice = Invoice(number="INV-000042", order_id=order.id, buyer_id=order.buyer_id,
                      issued_at=ISSUED, billing_details=details)
    payment = Payment(id="pay_demo", order_id=order.id, buyer_id=order.buyer_id,
                      amount=order.total, status=PaymentStatus.SUCCEEDED, created_at=ISSUED,
                      method=PaymentMethod("visa", "4242"))
    return order, invoice, [payment]


def _reverse_charged(details: BillingDetails) -> bool:
    # An EU business in another member state than the (German) demo seller.
    return details.country in EU_MEMBER_STATES and details.country != DEMO_BRANDING.country


def _price(currency: str) -> str:
    return {"JPY": "2900", "KRW": "29000", "VND": "490000", "IDR": "299000", "TWD": "590",
            "THB": "690", "RUB": "1900", "TRY": "690"}.get(currency, "29.00")
