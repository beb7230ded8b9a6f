"""``keep_stored``: what a provider's reads cannot report stays as the portal holds it."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from waffo_portal.core.exceptions import ValidationError
from waffo_portal.core.models import ScheduledChange, SubscriptionStatus
from waffo_portal.core.sync import OrderRecord, SubscriptionRecord
from waffo_portal.service import Portal

from .records import SEPT, buyer_record, eur, order_record, plan_record, subscription_record

LATER = SEPT + timedelta(days=30)


def _scheduled(portal: Portal) -> None:
    record = subscription_record(revision=1)
    change = ScheduledChange("basic", LATER, SEPT + timedelta(days=3))
    portal.sync.apply([buyer_record(), plan_record(), plan_record("basic", price=900),
                       attrs.evolve(record, subscription=attrs.evolve(
                           record.subscription, scheduled_change=change))])


def _read_back(revision: int, keep: tuple[str, ...] = ("scheduled_change",),
               **changes: object) -> SubscriptionRecord:
    record = subscription_record(revision=revision)
    return attrs.evolve(record, keep_stored=keep,
                        subscription=attrs.evolve(record.subscription, **changes))


def test_a_scheduled_change_the_read_cannot_report_stays(portal: Portal) -> None:
    _scheduled(portal)
    portal.sync.apply([_read_back(2)])
    sub = portal.get_subscription("cus_1", "sub_1")
    assert sub.scheduled_change is not None and sub.scheduled_change.plan_id == "basic"


@pytest.mark.parametrize("changes", [
    {"status": SubscriptionStatus.CANCELING},  # canceling drops it
    {"plan_id": "basic"},  # it happened
    {"current_period_start": LATER, "current_period_end": LATER + timedelta(days=30)},
])
def test_it_goes_once_it_happened_or_cannot_any_more(portal: Portal,
                                                     changes: dict[str, object]) -> None:
    _scheduled(portal)
    portal.sync.apply([_read_back(2, **changes)])
    assert portal.get_subscription("cus_1", "sub_1").scheduled_change is None


def test_without_keep_stored_the_record_is_the_whole_truth(portal: Portal) -> None:
    _scheduled(portal)
    portal.sync.apply([_read_back(2, keep=())])
    assert portal.get_subscription("cus_1", "sub_1").scheduled_change is None


def _relabelled(revision: int, description: str, net: int = 2437) -> OrderRecord:
    record = order_record(revision=revision, net=net)
    line = attrs.evolve(record.lines[0], description=description)
    return attrs.evolve(record, lines=(line,), keep_stored=("lines",))


def test_a_past_charge_keeps_its_lines_while_they_add_up(portal: Portal) -> None:
    portal.sync.apply([buyer_record(), _relabelled(1, "Basic")])
    portal.sync.apply([_relabelled(2, "Pro")])  # the provider's read names today's plan
    assert portal.get_order("cus_1", "ord_1").line_items[0].description == "Basic"


def test_lines_that_no_longer_add_up_are_replaced(portal: Portal) -> None:
    portal.sync.apply([buyer_record(), _relabelled(1, "Basic")])
    portal.sync.apply([_relabelled(2, "Pro", net=2000)])
    order = portal.get_order("cus_1", "ord_1")
    assert order.line_items[0].description == "Pro" and order.subtotal == eur(2000)


@pytest.mark.parametrize(("record", "field"), [
    (attrs.evolve(subscription_record(), keep_stored=("status",)), "records[0].keep_stored"),
    (attrs.evolve(order_record(), keep_stored=("total_gross",)), "records[0].keep_stored"),
])
def test_only_keepable_fields_may_be_kept(portal: Portal, record: object, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        portal.sync.apply([record])  # type: ignore[list-item]
    assert caught.value.keys == {field: "sync.keep_unknown"}
