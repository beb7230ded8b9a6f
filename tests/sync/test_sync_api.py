"""The sync API: imports keep the provider's data as it is, re-runs change nothing,
older revisions never win, and bad records are refused before anything is written."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from waffo_portal.core.exceptions import Conflict, ValidationError
from waffo_portal.core.models import Refund, SubscriptionStatus
from waffo_portal.core.sync import BuyerRecord, revision_at
from waffo_portal.service import Portal

from .records import (
    SEPT,
    buyer_record,
    eur,
    history,
    invoice_record,
    order_record,
    payment_record,
    plan_record,
    refund_record,
    subscription_record,
)


def _state(portal: Portal) -> dict[str, object]:
    """Everything a buyer of the sample history can see."""
    order = portal.get_order("cus_1", "ord_1")
    return {
        "buyer": portal.find_buyer("cus_1"), "details": portal.get_billing_details("cus_1"),
        "subscriptions": list(portal.list_subscriptions("cus_1")),
        "order": order, "payments": list(portal.list_payments("cus_1", "ord_1")),
        "invoice": portal.get_invoice("cus_1", "ord_1"),
        "plans": [portal.find_plan(p) for p in ("pro", "starter", "legacy")],
    }


def test_an_import_keeps_the_providers_data_as_sent(portal: Portal) -> None:
    report = portal.sync.apply(history())
    assert report.total_written == 10 and report.total_unchanged == 0
    assert report.written["plan"] == 3
    invoice = portal.get_invoice("cus_1", "ord_1")
    # The provider's number and date, not the portal's sequence and today.
    assert (invoice.number, invoice.issued_at) == ("ACME-2025-0042", SEPT + timedelta(minutes=1))
    order = portal.get_order("cus_1", "ord_1")
    assert (order.subtotal, order.tax, order.total) == (eur(2437), eur(463), eur(2900))
    assert order.line_items[0].amount == eur(2437)  # lines are net
    [payment] = portal.list_payments("cus_1", "ord_1")
    assert payment.refunded == eur(900)
    html = portal.render_invoice_html("cus_1", "ord_1", locale="en")
    assert "ACME-2025-0042" in html and "2025" in html


def test_a_rerun_of_the_same_import_changes_nothing(portal: Portal) -> None:
    portal.sync.apply(history())
    before = _state(portal)
    again = portal.sync.apply(history())
    assert again.total_written == 0 and again.total_unchanged == 10
    assert _state(portal) == before


def test_an_older_revision_never_overwrites_a_newer_one(portal: Portal) -> None:
    portal.sync.apply([buyer_record(revision=5, email="new@example.com")])
    report = portal.sync.apply([buyer_record(revision=4, email="old@example.com")])
    assert report.unchanged == {"buyer": 1}
    assert portal.find_buyer("cus_1").email == "new@example.com"  # type: ignore[union-attr]
    # In one batch the highest revision of a key wins, whatever the order.
    portal.sync.apply([buyer_record(revision=9, email="nine@example.com"),
                       buyer_record(revision=7, email="seven@example.com")])
    assert portal.find_buyer("cus_1").email == "nine@example.com"  # type: ignore[union-attr]


def test_a_subscription_can_be_synced_again_and_again(portal: Portal) -> None:
    portal.sync.apply([plan_record(), subscription_record(revision=1)])
    past_due = subscription_record(revision=2, status=SubscriptionStatus.PAST_DUE)
    portal.sync.apply([past_due])  # no Conflict from the store's own version counter
    [stored] = portal.list_subscriptions("cus_1")
    assert stored.status is SubscriptionStatus.PAST_DUE and stored.version == 2


def test_event_times_make_revisions() -> None:
    assert revision_at(SEPT) == 1757838600000
    assert revision_at(SEPT + timedelta(milliseconds=1)) == revision_at(SEPT) + 1


@pytest.mark.parametrize(("record", "field", "key"), [
    (order_record(net=2437, tax=463), None, None),
    (attrs.evolve(order_record(), subtotal_net=eur(2400)), "subtotal_net",
     "sync.subtotal_mismatch"),
    (attrs.evolve(order_record(), total_gross=eur(2901)), "total_gross", "sync.total_mismatch"),
    (attrs.evolve(order_record(), tax=attrs.evolve(eur(463), currency="USD")), "tax",
     "sync.currency_mismatch"),
    (attrs.evolve(order_record(), lines=()), "lines", "sync.lines_missing"),
    (order_record(quantity=3, net=2437), "lines[0].net", "sync.line_amount"),
    (attrs.evolve(order_record(), tax_rate_percent=order_record().tax_rate_percent * 10),
     "tax_rate_percent", "sync.tax_rate_invalid"),
    (buyer_record(email="not-an-email"), "email", "login.email_invalid"),
    (buyer_record(locale="xx"), "locale", "sync.locale_unknown"),
    (buyer_record(buyer_id=" cus_1"), "id", "sync.id_invalid"),
    (buyer_record(revision=-1), "revision", "sync.revision_invalid"),
    (plan_record(price=-500), "price", "sync.amount_negative"),
    (payment_record(refunds=(Refund("re_9", eur(3000), SEPT),)), "refunds",
     "sync.refunds_exceed"),
    (attrs.evolve(subscription_record(), subscription=attrs.evolve(
        subscription_record().subscription, current_period_end=SEPT)),
     "current_period_end", "sync.period_invalid"),
])
def test_a_bad_record_is_refused_naming_the_field_and_nothing_is_written(
        portal: Portal, record: object, field: str | None, key: str | None) -> None:
    good = buyer_record("cus_9", email="fine@example.com")
    if field is None:
        portal.sync.apply([good, record])  # type: ignore[list-item]
        return
    with pytest.raises(ValidationError) as refused:
        portal.sync.apply([good, record])  # type: ignore[list-item]
    assert refused.value.keys == {f"records[1].{field}": key}
    assert portal.find_buyer("cus_9") is None  # the good record in the batch is not written


def test_every_bad_field_of_every_record_is_named_at_once(portal: Portal) -> None:
    with pytest.raises(ValidationError) as refused:
        portal.sync.apply([buyer_record(email="x", locale="xx"),
                           attrs.evolve(order_record(), total_gross=eur(1))])
    assert refused.value.keys == {"records[0].email": "login.email_invalid",
                                  "records[0].locale": "sync.locale_unknown",
                                  "records[1].total_gross": "sync.total_mismatch"}


def test_something_that_is_not_a_record_is_refused(portal: Portal) -> None:
    with pytest.raises(ValidationError) as refused:
        portal.sync.apply([buyer_record(), "cus_1"])  # type: ignore[list-item]
    assert refused.value.keys == {"records[1]": "sync.kind_unknown"}


def test_batches_are_separate_transactions_with_progress(portal: Portal) -> None:
    seen: list[int] = []
    records = [buyer_record(f"cus_{n}", email=f"b{n}@example.com") for n in range(5)]
    portal.sync.apply(records, batch_size=2, on_progress=seen.append)
    assert seen == [2, 4, 5]
    with pytest.raises(ValidationError):
        portal.sync.apply(records, batch_size=0)


def test_a_refund_before_its_payment_waits_for_it(portal: Portal) -> None:
    portal.sync.apply([order_record()])
    with pytest.raises(Conflict) as early:
        portal.sync.apply([refund_record()])
    assert early.value.key == "sync.payment_missing"
    portal.sync.apply([payment_record()])
    portal.sync.apply([refund_record()])  # the claim was rolled back with the failure
    [payment] = portal.list_payments("cus_1", "ord_1")
    assert [r.id for r in payment.refunds] == ["re_1"]
    # A newer payment record without that refund keeps it (refunds arrive on their own too).
    portal.sync.apply([payment_record(revision=2)])
    [payment] = portal.list_payments("cus_1", "ord_1")
    assert payment.refunded == eur(900)


def test_refunds_may_not_exceed_the_payment(portal: Portal) -> None:
    portal.sync.apply([order_record(), payment_record()])
    portal.sync.apply([refund_record("re_1", amount=2000)])
    with pytest.raises(ValidationError):
        portal.sync.apply([refund_record("re_2", amount=1000)])
    [payment] = portal.list_payments("cus_1", "ord_1")
    assert payment.refunded == eur(2000)


def test_a_plan_that_is_not_selectable_is_never_offered(portal: Portal) -> None:
    portal.sync.apply(history())
    offered = [p.id for p in portal.plan_options("cus_1", "sub_1")]
    assert offered == ["starter"]  # "legacy" is kept for its subscribers only
    with pytest.raises(ValidationError) as refused:
        portal.quote_plan_change("cus_1", "sub_1", "legacy")
    assert refused.value.keys == {"plan_id": "plan.not_offered"}
    with pytest.raises(ValidationError):
        portal.change_plan("cus_1", "sub_1", "legacy", idempotency_key="k" * 20)


def test_an_invoice_synced_with_its_order_keeps_the_providers_number(portal: Portal) -> None:
    portal.sync.apply([order_record(), buyer_record(), invoice_record()])
    assert portal.get_invoice("cus_1", "ord_1").number == "ACME-2025-0042"


def test_buyers_see_only_their_own_synced_data(portal: Portal) -> None:
    portal.sync.apply([*history(), BuyerRecord(attrs.evolve(
        buyer_record().buyer, id="cus_2", email="eve@example.com"), 1)])
    assert portal.list_subscriptions("cus_2") == []
    with pytest.raises(Exception, match="not found"):
        portal.get_order("cus_2", "ord_1")


def test_a_large_batch_is_written_exactly_like_single_records(portal: Portal) -> None:
    """Past ``COPY_FROM`` records of a kind the SQL store switches to COPY on PostgreSQL."""
    count = 80
    batch = [plan_record(), *(buyer_record(f"cus_{n}", email=f"b{n}@example.com")
                              for n in range(count)),
             *(subscription_record(f"sub_{n}", buyer_id=f"cus_{n}") for n in range(count)),
             *(attrs.evolve(order_record(f"ord_{n}"), buyer_id=f"cus_{n}")
               for n in range(count))]
    assert portal.sync.apply(batch).total_written == 1 + 3 * count
    one = portal.find_buyer("cus_7")
    assert one is not None and one.email == "b7@example.com"
    [sub] = portal.list_subscriptions("cus_7")
    assert sub == attrs.evolve(subscription_record("sub_7", buyer_id="cus_7").subscription,
                               version=1)
    assert portal.get_order("cus_7", "ord_7").total == eur(2900)
    newer = [subscription_record(f"sub_{n}", 2, buyer_id=f"cus_{n}",
                                 status=SubscriptionStatus.PAST_DUE) for n in range(count)]
    assert portal.sync.apply(newer).total_written == count
    [sub] = portal.list_subscriptions("cus_7")
    assert (sub.status, sub.version) == (SubscriptionStatus.PAST_DUE, 2)
    assert portal.sync.apply(batch).total_written == 0
