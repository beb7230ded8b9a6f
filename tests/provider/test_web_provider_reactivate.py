"""Cancel and reactivate pages in provider mode: what the stored subscription says after
the provider's answer, never a promise the portal cannot keep."""

from __future__ import annotations

import attrs
import pytest

from waffo_portal.core.models import Cancellation, ScheduledChange, SubscriptionStatus
from waffo_portal.core.provider import ActionStatus, ProviderAction, ProviderOutcome
from waffo_portal.core.sync import SubscriptionRecord
from waffo_portal.testing import PortalKit
from waffo_portal.testing.client import PortalTestClient
from waffo_portal.web import PortalWebApp

from ..web.helpers import login
from .fake import ScriptedProvider


@pytest.fixture
def buyer(kit: PortalKit) -> PortalTestClient:
    client = PortalTestClient(PortalWebApp(kit.portal))
    login(client, kit)
    return client


def _canceling(kit: PortalKit) -> None:
    end = kit.subscription.current_period_end
    kit.store.save_subscription(attrs.evolve(
        kit.subscription, version=1, status=SubscriptionStatus.CANCELING,
        cancellation=Cancellation(None, "", kit.clock.now(), end)))


def test_the_cancel_page_promises_nothing_the_provider_decides(
        buyer: PortalTestClient, kit: PortalKit) -> None:
    current = kit.store.get_subscription("sub_1")
    assert current is not None
    kit.store.save_subscription(attrs.evolve(current, plan_id="team-usd", scheduled_change=(
        ScheduledChange("basic-usd", current.current_period_end, kit.clock.now()))))
    page = buyer.get("/subscriptions/sub_1/cancel")
    assert ("Your switch to Basic on February 1, 2026 will not happen, because the "
            "subscription ends then.") in page.text
    assert ("If you reactivate before then, your subscription page shows the plan that "
            "renews and its price.") in page.text
    assert "it stays scheduled" not in page.text


def test_reactivation_states_the_plan_the_providers_answer_renews(
        buyer: PortalTestClient, kit: PortalKit, provider: ScriptedProvider) -> None:
    _canceling(kit)

    def reactivated(action: ProviderAction) -> ProviderOutcome:
        active = attrs.evolve(action.subscription, status=SubscriptionStatus.ACTIVE,
                              cancellation=None, plan_id="pro-usd")
        return ProviderOutcome(ActionStatus.APPLIED, records=(SubscriptionRecord(active, 9),))

    provider.answers["reactivate"] = reactivated
    detail = buyer.get("/subscriptions/sub_1")
    page = buyer.follow(buyer.submit(detail, "/subscriptions/sub_1/reactivate"))
    assert ("Your subscription was reactivated: it renews on February 1, 2026 on Pro at "
            "$20.00 per month.") in page.text
    assert provider.verbs() == ["reactivate"]


def test_a_reactivation_the_store_does_not_show_yet_is_not_called_done(
        buyer: PortalTestClient, kit: PortalKit, provider: ScriptedProvider) -> None:
    _canceling(kit)
    provider.answers["reactivate"] = lambda action: ProviderOutcome(ActionStatus.APPLIED)
    detail = buyer.get("/subscriptions/sub_1")
    page = buyer.follow(buyer.submit(detail, "/subscriptions/sub_1/reactivate"))
    assert ("Your reactivation was sent. Until it is confirmed, the subscription still ends "
            "on February 1, 2026.") in page.text
    assert "was reactivated" not in page.text
