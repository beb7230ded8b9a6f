"""Orders the portal makes: taxed by the policy as of now, numbered at payment, free
periods recorded without the gateway; looking at an order never numbers it."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from waffo_portal import GatewayMode
from waffo_portal.core.config import Branding
from waffo_portal.core.exceptions import Conflict
from waffo_portal.core.models import (
    BillingDetails,
    LineKind,
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
)
from waffo_portal.core.money import Money
from waffo_portal.core.settlement import Settlement, settle
from waffo_portal.demo import DEMO_TAX_RATES
from waffo_portal.testing import PortalKit, make_kit
from waffo_portal.testing.factories import EPOCH, sample_order, test_config

KEY = "key-0000000000000001"
GERMAN_SELLER = Branding(name="Beispiel Cloud GmbH", country="DE",
                         address=("Dockstraße 1", "10115 Berlin"), tax_id="DE136695976")
AUSTRIAN_BUSINESS = BillingDetails("AT", "", "1010", "Beispiel GmbH", "ATU13585627", True,
                                   "Anna Huber", "Stephansplatz 1", "", "Wien")


@pytest.fixture
def eu_kit() -> PortalKit:
    return make_kit(currency="EUR", config=test_config(branding=GERMAN_SELLER,
                                                       tax_rates=DEMO_TAX_RATES))


def _upgrade(kit: PortalKit) -> Order:
    outcome = kit.portal.change_plan(kit.buyer.id, kit.subscription.id, kit.plans["pro"].id,
                                     idempotency_key=KEY)
    assert outcome.order_id is not None
    order = kit.store.get_order(outcome.order_id)
    assert order is not None
    return order


def test_an_austrian_business_upgrading_from_a_german_seller_is_reverse_charged(
        eu_kit: PortalKit) -> None:
    # Its last order was German consumer VAT: the new one must not copy that rate.
    eu_kit.store.save_order(attrs.evolve(
        sample_order(eu_kit.buyer.id, eu_kit.plans["basic"], EPOCH, "old",
                     eu_kit.subscription.id), tax_rate=Decimal(19)))
    eu_kit.store.save_billing_details(eu_kit.buyer.id, AUSTRIAN_BUSINESS)
    order = _upgrade(eu_kit)
    assert order.reverse_charge and order.tax_rate == 0 and order.tax.amount == 0
    assert order.subtotal == order.total == eu_kit.gateway.charges[-1].amount
    assert order.billing_details == AUSTRIAN_BUSINESS


def test_a_consumer_who_moved_from_de_to_at_pays_austrian_vat(eu_kit: PortalKit) -> None:
    eu_kit.store.save_billing_details(eu_kit.buyer.id, BillingDetails("DE"))
    eu_kit.store.save_billing_details(eu_kit.buyer.id, BillingDetails("AT"))
    order = _upgrade(eu_kit)
    assert (order.tax_rate, order.reverse_charge) == (Decimal(20), False)
    # Gross lines add up to the total; the tax is the share the total contains.
    assert sum(line.amount.amount for line in order.line_items) == order.total.amount
    assert order.prices_include_tax
    assert order.subtotal + order.tax == order.total
    assert order.tax == Money.from_fraction(order.total.amount * Decimal(20) / 120, "EUR")


def test_upgrade_lines_are_structured_not_english_text(eu_kit: PortalKit) -> None:
    order = _upgrade(eu_kit)
    charge, credit = order.line_items
    assert (charge.kind, charge.plan_name, charge.description) == (
        LineKind.PRORATION_CHARGE, "Pro", "")
    assert (credit.kind, credit.plan_name) == (LineKind.PRORATION_CREDIT, "Basic")
    for line in order.line_items:
        assert line.period_start is not None and line.period_end is not None


def test_an_upgrade_is_numbered_when_it_is_paid(eu_kit: PortalKit) -> None:
    order = _upgrade(eu_kit)
    invoice = eu_kit.store.get_invoice(order.id)
    assert invoice is not None and invoice.number == "INV-000001"
    assert invoice.issued_at == order.created_at


def test_viewing_an_unpaid_order_never_consumes_a_number(kit: PortalKit) -> None:
    pending = attrs.evolve(sample_order(kit.buyer.id, kit.plans["basic"], EPOCH, "pend"),
                           status=OrderStatus.PENDING)
    kit.store.save_order(pending)
    for _ in range(3):
        with pytest.raises(Conflict) as caught:
            kit.portal.get_invoice(kit.buyer.id, "pend")
        assert caught.value.key == "invoice.not_issued"
        with pytest.raises(Conflict):
            kit.portal.render_invoice_html(kit.buyer.id, "pend")
    assert kit.store.get_invoice("pend") is None
    paid = sample_order(kit.buyer.id, kit.plans["basic"], EPOCH, "paid")
    kit.store.save_order(paid)
    kit.store.save_payment(Payment("pay_paid", "paid", kit.buyer.id, paid.total,
                                   PaymentStatus.SUCCEEDED, EPOCH))
    assert kit.portal.issue_invoice("paid").number == "INV-000001"  # no gap before it
    with pytest.raises(Conflict):
        kit.portal.issue_invoice("pend")


def test_a_declined_renewal_has_no_invoice_and_no_receipt(kit: PortalKit) -> None:
    kit.gateway.mode = GatewayMode.DECLINE
    assert kit.portal.apply_due(kit.subscription.current_period_end).counts == {"past_due": 1}
    unpaid = attrs.evolve(sample_order(kit.buyer.id, kit.plans["basic"], EPOCH, "declined"),
                          status=OrderStatus.PENDING)
    kit.store.save_order(unpaid)
    kit.store.save_payment(Payment("pay_declined", "declined", kit.buyer.id, unpaid.total,
                                   PaymentStatus.FAILED, EPOCH, failure_reason="card_declined"))
    with pytest.raises(Conflict) as caught:
        kit.portal.render_invoice_pdf(kit.buyer.id, "declined", receipt=True)
    assert caught.value.key == "invoice.not_issued"
    # Even a numbered order gets no receipt while nothing was taken.
    kit.store.issue_invoice(unpaid, "INV-", EPOCH)
    with pytest.raises(Conflict) as caught:
        kit.portal.render_invoice_pdf(kit.buyer.id, "declined", receipt=True)
    assert caught.value.key == "invoice.no_receipt"


def test_a_paid_renewal_is_numbered_and_taxed(eu_kit: PortalKit) -> None:
    eu_kit.store.save_billing_details(eu_kit.buyer.id, BillingDetails("FR"))
    eu_kit.portal.apply_due(eu_kit.subscription.current_period_end)
    (order,) = eu_kit.store.list_orders(eu_kit.buyer.id, 5)
    assert order.tax_rate == Decimal(20) and order.line_items[0].kind is LineKind.RENEWAL
    assert eu_kit.store.get_invoice(order.id) is not None


def test_a_free_renewal_records_a_zero_order_without_the_gateway(kit: PortalKit) -> None:
    free = attrs.evolve(kit.plans["basic"], price=Money(0, "USD"))
    kit.store.save_plan(free)
    report = kit.portal.apply_due(kit.subscription.current_period_end)
    assert report.counts == {"renewed": 1}
    assert kit.gateway.calls == 0
    (order,) = kit.store.list_orders(kit.buyer.id, 5)
    assert order.total == Money(0, "USD") and order.status is OrderStatus.COMPLETED
    assert kit.store.get_invoice(order.id) is not None


def test_a_negative_price_never_reaches_the_gateway(kit: PortalKit) -> None:
    negative = attrs.evolve(kit.plans["basic"], price=Money(-500, "USD"))
    kit.store.get_plan = lambda plan_id: negative  # type: ignore[method-assign]
    report = kit.portal.apply_due(kit.subscription.current_period_end)
    assert report.counts == {"error": 1}
    assert kit.gateway.calls == 0 and kit.store.list_orders(kit.buyer.id, 5) == []
    stored = kit.store.get_subscription(kit.subscription.id)
    assert stored is not None and stored.current_period_end == kit.subscription.current_period_end


def test_an_upgrade_that_costs_nothing_now_is_a_zero_order_without_the_gateway(
        kit: PortalKit) -> None:
    kit.clock.set(kit.subscription.current_period_end)  # nothing of the period is left
    outcome = kit.portal.change_plan(kit.buyer.id, kit.subscription.id, kit.plans["pro"].id,
                                     idempotency_key=KEY)
    assert outcome.kind == "upgrade" and kit.gateway.calls == 0
    assert outcome.order_id is not None
    order = kit.store.get_order(outcome.order_id)
    assert order is not None and order.total == Money(0, "USD")
    assert kit.store.get_invoice(order.id) is not None


def test_a_free_order_reads_as_paid_not_refunded(kit: PortalKit) -> None:
    free = attrs.evolve(kit.plans["basic"], price=Money(0, "USD"))
    kit.store.save_plan(free)
    kit.portal.apply_due(kit.subscription.current_period_end)
    (order,) = kit.store.list_orders(kit.buyer.id, 5)
    assert settle(order, kit.store.list_payments(order.id)).state is Settlement.PAID
    assert "Refunded" not in kit.portal.render_invoice_html(kit.buyer.id, order.id)


def test_a_change_of_billing_period_credits_the_old_plan_up_to_its_own_end(
        kit: PortalKit) -> None:
    order = _upgrade_to(kit, "pro-yearly")
    charge, credit = order.line_items
    assert charge.kind is LineKind.PLAN_PERIOD  # a whole new year, not "remaining time"
    assert credit.period_end == kit.subscription.current_period_end
    assert charge.period_end is not None and charge.period_end > credit.period_end


def test_an_open_order_of_zero_is_paid_without_the_gateway(kit: PortalKit) -> None:
    zero = attrs.evolve(sample_order(kit.buyer.id, kit.plans["basic"], EPOCH, "zero"),
                        status=OrderStatus.PENDING, subtotal=Money(0, "USD"),
                        total=Money(0, "USD"))
    kit.store.save_order(zero)
    kit.portal.pay_order(kit.buyer.id, "zero", idempotency_key=KEY, return_url="")
    assert kit.gateway.calls == 0
    paid = kit.store.get_order("zero")
    assert paid is not None and paid.status is OrderStatus.COMPLETED
    assert kit.store.get_invoice("zero") is not None


def test_the_tax_of_a_buyer_without_details_is_named_where_the_seller_is(
        eu_kit: PortalKit) -> None:
    order = _upgrade(eu_kit)  # no billing details: taxed at home, in Germany
    assert order.tax_rate == Decimal(19)
    text = eu_kit.portal.render_invoice_html(eu_kit.buyer.id, order.id, "de")
    assert "USt. 19" in text and "Steuer 19" not in text


def _upgrade_to(kit: PortalKit, plan: str) -> Order:
    outcome = kit.portal.change_plan(kit.buyer.id, kit.subscription.id, kit.plans[plan].id,
                                     idempotency_key=KEY)
    assert outcome.order_id is not None
    found = kit.store.get_order(outcome.order_id)
    assert found is not None
    return found
