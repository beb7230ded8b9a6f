"""With a provider of record the portal asks, and the provider's answer is authoritative."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from waffo_portal.core.exceptions import (
    ConfigurationError,
    PlanChangeNotAllowed,
    ProviderUnavailable,
    ValidationError,
)
from waffo_portal.core.models import Cancellation, SubscriptionStatus
from waffo_portal.core.provider import ActionStatus, ProviderAction, ProviderOutcome
from waffo_portal.core.sync import SubscriptionRecord
from waffo_portal.mail.memory import MemoryMailer
from waffo_portal.service import Portal
from waffo_portal.stores.memory import MemoryStore
from waffo_portal.testing import PortalKit
from waffo_portal.testing.factories import test_config

from ..sync.records import SEPT, buyer_record, order_record
from .fake import ORIGIN, ScriptedProvider, confirm_at

KEY = "provider-key-00000001"


def test_a_portal_needs_a_gateway_or_a_provider() -> None:
    with pytest.raises(ConfigurationError) as refused:
        Portal(test_config(), store=MemoryStore(), mailer=MemoryMailer())
    assert refused.value.context["setting"] == "gateway"


def test_a_change_confirmed_at_the_provider_changes_nothing_yet(
        kit: PortalKit, provider: ScriptedProvider) -> None:
    provider.answers["change_plan"] = confirm_at("/confirm")
    outcome = kit.portal.change_plan(kit.buyer.id, "sub_1", kit.plans["pro"].id,
                                     idempotency_key=KEY)
    assert outcome.status == "confirm"
    assert outcome.redirect_url == f"{ORIGIN}/confirm?k={KEY}"
    assert outcome.subscription.plan_id == kit.plans["basic"].id  # never on the redirect alone
    [(verb, action)] = provider.calls
    assert (verb, action.idempotency_key, action.new_plan) == (
        "change_plan", KEY, kit.plans["pro"])
    assert kit.store.list_audit_events("subscription:sub_1")[0].action == "provider.change_plan"
    replay = kit.portal.change_plan(kit.buyer.id, "sub_1", kit.plans["pro"].id,
                                    idempotency_key=KEY)
    assert replay.redirect_url == outcome.redirect_url and len(provider.calls) == 1


def test_the_providers_state_is_written_and_the_buyers_reason_kept(
        kit: PortalKit, provider: ScriptedProvider) -> None:
    end = kit.subscription.current_period_end

    def scheduled(action: ProviderAction) -> ProviderOutcome:
        canceled = attrs.evolve(action.subscription, status=SubscriptionStatus.CANCELING,
                                cancellation=Cancellation(None, "", kit.clock.now(), end))
        return ProviderOutcome(ActionStatus.SCHEDULED, effective_at=end,
                               records=(SubscriptionRecord(canceled, 7),))

    provider.answers["cancel"] = scheduled
    outcome = kit.portal.cancel_subscription(kit.buyer.id, "sub_1", reason="too_expensive",
                                             comment="pricey", idempotency_key=KEY)
    assert (outcome.status, outcome.effective_at) == ("scheduled", end)
    stored = kit.store.get_subscription("sub_1")
    assert stored is not None and stored.status is SubscriptionStatus.CANCELING
    assert stored.cancellation is not None
    assert (stored.cancellation.reason, stored.cancellation.comment) == ("too_expensive", "pricey")
    # The same state arriving again by webhook changes nothing, and keeps the reason.
    again = kit.portal.sync.apply([SubscriptionRecord(attrs.evolve(
        stored, cancellation=attrs.evolve(stored.cancellation, reason=None)), 7)])
    assert again.total_written == 0
    newer = kit.portal.sync.apply([SubscriptionRecord(attrs.evolve(
        stored, cancellation=attrs.evolve(stored.cancellation, reason=None, comment="")), 8)])
    assert newer.total_written == 1
    kept = kit.store.get_subscription("sub_1")
    assert kept is not None and kept.cancellation is not None
    assert kept.cancellation.reason == "too_expensive"


def test_a_failing_provider_leaves_everything_as_it_was_and_a_retry_reuses_the_key(
        kit: PortalKit, provider: ScriptedProvider) -> None:
    def down(_action: ProviderAction) -> ProviderOutcome:
        raise ProviderUnavailable(reason="timeout")

    provider.answers["reactivate"] = down
    kit.store.save_subscription(attrs.evolve(
        kit.subscription, version=1, status=SubscriptionStatus.CANCELING,
        cancellation=Cancellation(None, "", kit.clock.now(),
                                  kit.subscription.current_period_end)))
    before = kit.store.get_subscription("sub_1")
    with pytest.raises(ProviderUnavailable):
        kit.portal.reactivate_subscription(kit.buyer.id, "sub_1", idempotency_key=KEY)
    assert kit.store.get_subscription("sub_1") == before
    provider.answers["reactivate"] = lambda a: ProviderOutcome(ActionStatus.APPLIED)
    done = kit.portal.reactivate_subscription(kit.buyer.id, "sub_1", idempotency_key=KEY)
    assert done.status == "applied"
    assert [a.idempotency_key for _, a in provider.calls] == [KEY, KEY]


def test_the_portals_rules_are_checked_before_the_provider_is_asked(
        kit: PortalKit, provider: ScriptedProvider) -> None:
    kit.store.save_plan(attrs.evolve(kit.plans["pro"], selectable=False))
    with pytest.raises(ValidationError):
        kit.portal.change_plan(kit.buyer.id, "sub_1", kit.plans["pro"].id,
                               idempotency_key=KEY)
    with pytest.raises(PlanChangeNotAllowed):  # not set to cancel
        kit.portal.reactivate_subscription(kit.buyer.id, "sub_1", idempotency_key=KEY + "2")
    with pytest.raises(PlanChangeNotAllowed) as nothing:
        kit.portal.undo_scheduled_change(kit.buyer.id, "sub_1", idempotency_key=KEY + "3")
    assert nothing.value.key == "change.nothing_scheduled"
    with pytest.raises(Exception, match="not found"):
        kit.portal.cancel_subscription(kit.other_buyer.id, "sub_1", idempotency_key=KEY + "4")
    assert provider.calls == []


def test_the_portal_never_charges_or_renews_on_its_own(
        kit: PortalKit, provider: ScriptedProvider) -> None:
    assert kit.portal.provider_mode
    report = kit.portal.apply_due(kit.clock.now() + timedelta(days=400))
    assert report.total == 0
    stored = kit.store.get_subscription("sub_1")
    assert stored is not None and stored.current_period_end == kit.subscription.current_period_end
    assert kit.gateway.charges == []


def test_quotes_and_card_pages_come_from_the_provider(
        kit: PortalKit, provider: ScriptedProvider) -> None:
    ours = kit.portal.quote_plan_change(kit.buyer.id, "sub_1", kit.plans["pro"].id)
    assert ours.new_plan == kit.plans["pro"]  # no provider quote: the portal's preview
    provider.quote = attrs.evolve(ours, amount_due=ours.amount_due + ours.amount_due)
    assert kit.portal.quote_plan_change(
        kit.buyer.id, "sub_1", kit.plans["pro"].id).amount_due == ours.amount_due * 2
    url = kit.portal.payment_method_update_url(kit.buyer.id, "sub_1", return_url="https://x/y")
    assert url == f"{ORIGIN}/card?back=https://x/y"
    assert kit.portal.redirect_origins == (ORIGIN,)


def test_an_order_without_the_providers_invoice_is_dated_when_it_was_placed(
        kit: PortalKit) -> None:
    kit.portal.sync.apply([buyer_record(kit.buyer.id, email="ada@example.com"),
                           attrs.evolve(order_record("ord_sept"), buyer_id=kit.buyer.id)])
    invoice = kit.portal.get_invoice(kit.buyer.id, "ord_sept")
    assert invoice.issued_at == SEPT != kit.clock.now()
    assert invoice.number.startswith("INV-")
