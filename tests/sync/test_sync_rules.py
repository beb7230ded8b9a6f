"""Each rule of core.sync_rules, with the exact field and key it reports, at its boundaries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import attrs
import pytest

from waffo_portal.core.models import (
    BillingDetails,
    Cancellation,
    Invoice,
    Refund,
    ScheduledChange,
)
from waffo_portal.core.money import Money
from waffo_portal.core.sync import (
    BillingDetailsRecord,
    InvoiceRecord,
    OrderLine,
    RefundRecord,
    newest,
)
from waffo_portal.core.sync_rules import MAX_ID_LENGTH, MAX_REVISION, email_problem, problems

from .records import (
    SEPT,
    buyer_record,
    eur,
    invoice_record,
    order_record,
    payment_record,
    plan_record,
    refund_record,
    subscription_record,
)

LOCALES = ("en", "de")


def _problems(record: object) -> dict[str, str]:
    return problems(record, LOCALES)  # type: ignore[arg-type]


@pytest.mark.parametrize(("email", "ok"), [
    ("a@b.co", True), ("a@b", False), ("@b.co", False), ("a@.", False), ("a b@c.de", False),
    ("a@b.co\x00", False), ("a@b.co\x7f", False), ("noat.example", False),
    ("a" * 308 + "@example.com", True), ("a" * 309 + "@example.com", False),
])
def test_email_addresses(email: str, ok: bool) -> None:
    assert (email_problem(email) is None) is ok
    if not ok:
        assert email_problem(email) == "login.email_invalid"


@pytest.mark.parametrize(("revision", "ok"), [
    (0, True), (MAX_REVISION, True), (MAX_REVISION + 1, False), (-1, False), (True, False),
    ("1", False),
])
def test_revisions_are_non_negative_bigints(revision: object, ok: bool) -> None:
    found = _problems(attrs.evolve(buyer_record(), revision=revision))
    assert found == ({} if ok else {"revision": "sync.revision_invalid"})


@pytest.mark.parametrize(("buyer_id", "ok"), [
    ("x" * MAX_ID_LENGTH, True), ("x" * (MAX_ID_LENGTH + 1), False), ("", False),
    (" x", False), ("x ", False), ("x\ty", False),
])
def test_ids_are_1_to_64_clean_characters(buyer_id: str, ok: bool) -> None:
    found = _problems(buyer_record(buyer_id))
    assert found == ({} if ok else {"id": "sync.id_invalid"})


def test_buyer_names_and_locales() -> None:
    assert _problems(attrs.evolve(buyer_record(), buyer=attrs.evolve(
        buyer_record().buyer, name="n" * 200))) == {}
    assert _problems(attrs.evolve(buyer_record(), buyer=attrs.evolve(
        buyer_record().buyer, name="n" * 201))) == {"name": "sync.text_invalid"}
    assert _problems(buyer_record(locale=None)) == {}
    assert _problems(buyer_record(locale="ja")) == {"locale": "sync.locale_unknown"}


def test_plan_rules() -> None:
    plan = plan_record().plan
    assert _problems(plan_record()) == {}
    assert _problems(attrs.evolve(plan_record(), plan=attrs.evolve(plan, name=" "))) == {
        "name": "sync.text_invalid"}
    assert _problems(attrs.evolve(plan_record(), plan=attrs.evolve(plan, trial_days=-1))) == {
        "trial_days": "sync.amount_negative"}
    assert _problems(attrs.evolve(plan_record(), plan=attrs.evolve(
        plan, product_group=""))) == {"product_group": "sync.id_invalid"}
    assert _problems(plan_record(price=0)) == {}


def test_subscription_rules() -> None:
    sub = subscription_record().subscription
    assert _problems(attrs.evolve(subscription_record(), subscription=attrs.evolve(
        sub, plan_id="", buyer_id=""))) == {"plan_id": "sync.id_invalid",
                                           "buyer_id": "sync.id_invalid"}
    change = ScheduledChange("", sub.current_period_end, SEPT)
    assert _problems(attrs.evolve(subscription_record(), subscription=attrs.evolve(
        sub, scheduled_change=change))) == {"scheduled_change.plan_id": "sync.id_invalid"}
    long_comment = Cancellation(None, "c" * 1001, SEPT, sub.current_period_end)
    assert _problems(attrs.evolve(subscription_record(), subscription=attrs.evolve(
        sub, cancellation=long_comment))) == {"cancellation.comment": "sync.text_invalid"}
    fine = attrs.evolve(long_comment, comment="c" * 1000)
    assert _problems(attrs.evolve(subscription_record(), subscription=attrs.evolve(
        sub, cancellation=fine))) == {}


def test_order_line_rules() -> None:
    base = order_record()
    line = base.lines[0]
    cases = {
        "lines[0].description": attrs.evolve(line, description=""),
        "lines[0].quantity": attrs.evolve(line, quantity=0),
        "lines[0].unit_net": attrs.evolve(line, unit_net=Money(2437, "USD")),
        "lines[0].period_end": attrs.evolve(line, period_end=line.period_start),
    }
    for field, bad in cases.items():
        found = _problems(attrs.evolve(base, lines=(bad,)))
        assert found.get(field), (field, found)
    negative = attrs.evolve(line, unit_net=eur(-1), net=eur(-1))
    found = _problems(attrs.evolve(base, lines=(negative,)))
    assert found["lines[0].net"] == "sync.amount_negative"
    two = (OrderLine("A", 2, eur(1000), eur(2000)), OrderLine("B", 1, eur(437), eur(437)))
    assert _problems(attrs.evolve(base, lines=two)) == {}


def test_order_totals_tax_and_parties() -> None:
    base = order_record()
    assert _problems(attrs.evolve(base, tax=eur(-1), total_gross=eur(2436))) == {
        "tax": "sync.amount_negative"}
    assert _problems(attrs.evolve(base, tax_rate_percent=Decimal("100"))) == {}
    assert _problems(attrs.evolve(base, tax_rate_percent=Decimal("-0.01"))) == {
        "tax_rate_percent": "sync.tax_rate_invalid"}
    assert _problems(attrs.evolve(base, tax_rate_percent=Decimal("NaN"))) == {
        "tax_rate_percent": "sync.tax_rate_invalid"}
    assert _problems(attrs.evolve(base, tax_note="n" * 501)) == {"tax_note": "sync.text_invalid"}
    assert _problems(attrs.evolve(base, subscription_id="")) == {
        "subscription_id": "sync.id_invalid"}
    assert _problems(attrs.evolve(base, subscription_id=None)) == {}
    assert _problems(attrs.evolve(base, billing_details=BillingDetails(country="ZZ"))) == {
        "billing_details.country": "billing.country_invalid"}
    # A field the provider did not collect is not required; a wrong one is refused.
    assert _problems(attrs.evolve(base, billing_details=BillingDetails(country="US"))) == {}
    assert _problems(attrs.evolve(base, billing_details=BillingDetails(
        country="DE", postal_code="1"))) == {
        "billing_details.postal_code": "billing.postal_code_invalid"}
    assert _problems(attrs.evolve(base, billing_details=BillingDetails(country=""))) == {
        "billing_details.country": "billing.country_required"}


def test_payment_refund_and_invoice_rules() -> None:
    refunds = (Refund("re_1", eur(2900), SEPT),)
    assert _problems(payment_record(refunds=refunds)) == {}  # exactly the payment
    assert _problems(payment_record(refunds=(Refund("re_1", eur(0), SEPT),))) == {
        "refunds[0].amount": "sync.amount_negative"}
    assert _problems(payment_record(refunds=(Refund("", eur(1), SEPT),))) == {
        "refunds[0].id": "sync.id_invalid"}
    long_reason = attrs.evolve(payment_record(), payment=attrs.evolve(
        payment_record().payment, failure_reason="r" * 201))
    assert _problems(long_reason) == {"failure_reason": "sync.text_invalid"}
    assert _problems(refund_record(amount=0)) == {"amount": "sync.amount_negative"}
    assert _problems(RefundRecord("", "pay_1", Refund("re", eur(1), SEPT), 1)) == {
        "order_id": "sync.id_invalid"}
    assert _problems(invoice_record(number="")) == {"number": "sync.id_invalid"}
    assert _problems(InvoiceRecord(Invoice("N-1", "ord_1", "cus_1", SEPT), 1)) == {}
    assert _problems(InvoiceRecord(Invoice("N-1", "ord_1", "cus_1", SEPT,
                                           BillingDetails(country="ZZ")), 1)) == {
        "billing_details.country": "billing.country_invalid"}
    assert _problems(BillingDetailsRecord("cus_1", BillingDetails(country="ZZ"), 1)) == {
        "country": "billing.country_invalid"}


def test_newest_keeps_the_first_of_equal_revisions() -> None:
    first, second = buyer_record(email="a@example.com"), buyer_record(email="b@example.com")
    assert newest([first, second])["cus_1"] is first
    later = buyer_record(revision=2, email="c@example.com")
    assert newest([first, later, second])["cus_1"] is later


def test_revision_at_is_milliseconds() -> None:
    from waffo_portal.core.sync import revision_at

    assert revision_at(SEPT + timedelta(seconds=1)) - revision_at(SEPT) == 1000
