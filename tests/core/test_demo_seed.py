from __future__ import annotations

from datetime import UTC, datetime

from waffo_portal import MemoryStore, PaymentStatus, SubscriptionStatus
from waffo_portal.core.billing_details import TEXT_FIELDS, validate_billing_details
from waffo_portal.demo import DEMO_ACCOUNTS, seed_demo

NOW = datetime(2026, 11, 25, tzinfo=UTC)


def test_seed_covers_the_stories_the_demo_promises() -> None:
    store = MemoryStore()
    assert len(seed_demo(store, NOW)) == len(DEMO_ACCOUNTS)
    assert seed_demo(store, NOW) == []  # idempotent
    statuses, currencies, payment_states, refunds = set(), set(), set(), 0
    for account in DEMO_ACCOUNTS:
        buyer = store.find_buyer_by_email(account.email)
        assert buyer is not None
        (subscription,) = store.list_subscriptions(buyer.id)
        statuses.add(subscription.status)
        currencies.add(account.currency)
        for order in store.list_orders(buyer.id, 50):
            for payment in store.list_payments(order.id):
                payment_states.add(payment.status)
                refunds += len(payment.refunds)
    assert statuses >= {SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING,
                        SubscriptionStatus.CANCELING, SubscriptionStatus.PAST_DUE}
    assert {"USD", "EUR", "JPY"} <= currencies
    assert {PaymentStatus.SUCCEEDED, PaymentStatus.FAILED} <= payment_states
    assert refunds >= 1


def test_seeded_billing_details_pass_our_own_validation() -> None:
    for account in DEMO_ACCOUNTS:
        details = account.billing
        raw = {field: getattr(details, field) for field in TEXT_FIELDS}
        raw["is_business"] = "on" if details.is_business else ""
        assert validate_billing_details(raw) == details  # complete, and stored as seeded
        assert details.name and details.address_line1


def test_invoice_numbers_follow_order_dates() -> None:
    store = MemoryStore()
    seed_demo(store, NOW)
    buyer = store.find_buyer_by_email("ada@example.com")
    assert buyer is not None
    orders = sorted(store.list_orders(buyer.id, 50), key=lambda o: o.created_at)
    numbers = [invoice.number for o in orders if (invoice := store.get_invoice(o.id))]
    assert numbers == sorted(numbers) and len(numbers) == len(orders)
