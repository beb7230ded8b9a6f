"""The pages in provider mode: the buyer is sent to the provider's page, under the CSP."""

from __future__ import annotations

import attrs
import pytest

from waffo_portal.core.models import SubscriptionStatus
from waffo_portal.core.provider import ActionStatus, ProviderOutcome
from waffo_portal.service import Portal
from waffo_portal.testing import PortalKit, make_kit
from waffo_portal.testing.client import PortalTestClient
from waffo_portal.testing.factories import test_config
from waffo_portal.web import PortalWebApp

from ..web.helpers import login
from .fake import ORIGIN, ScriptedProvider, confirm_at


@pytest.fixture
def buyer(kit: PortalKit) -> PortalTestClient:
    client = PortalTestClient(PortalWebApp(kit.portal))
    login(client, kit)
    return client


def test_a_change_to_confirm_sends_the_buyer_to_the_provider(
        buyer: PortalTestClient, kit: PortalKit, provider: ScriptedProvider) -> None:
    provider.answers["change_plan"] = confirm_at("/checkout")
    review = buyer.get("/subscriptions/sub_1/change/review", query={"plan": "pro-usd"})
    assert f"form-action 'self' {ORIGIN};" in (review.header("Content-Security-Policy") or "")
    done = buyer.submit(review, "/subscriptions/sub_1/change")
    assert done.status == 303
    assert (done.location or "").startswith(f"{ORIGIN}/checkout?k=")
    stored = kit.store.get_subscription("sub_1")
    assert stored is not None and stored.plan_id == kit.plans["basic"].id


def test_a_redirect_outside_the_providers_origins_is_refused(
        buyer: PortalTestClient, provider: ScriptedProvider) -> None:
    provider.answers["change_plan"] = lambda a: ProviderOutcome(
        ActionStatus.CONFIRM, redirect_url="https://evil.example/steal")
    review = buyer.get("/subscriptions/sub_1/change/review", query={"plan": "pro-usd"})
    done = buyer.submit(review, "/subscriptions/sub_1/change")
    assert done.status == 503 and done.location is None


def test_the_card_page_is_the_providers(buyer: PortalTestClient) -> None:
    page = buyer.get("/subscriptions/sub_1")
    done = buyer.submit(page, "/subscriptions/sub_1/payment-method")
    assert done.status == 303
    assert (done.location or "").startswith(f"{ORIGIN}/card?back=https://shop.example/billing/")


def test_standalone_admits_the_origin_its_gateway_declares_and_nothing_else() -> None:
    kit = make_kit()  # TestGateway's card page: https://payments.example/update
    page = PortalTestClient(PortalWebApp(kit.portal)).get("/login")
    assert "form-action 'self' https://payments.example;" in (
        page.header("Content-Security-Policy") or "")

    class SilentGateway:  # declares no origins: form-action stays 'self'
        charge = kit.gateway.charge
        payment_method_update_url = kit.gateway.payment_method_update_url

    portal = Portal(test_config(), store=kit.store, mailer=kit.mailer,
                    gateway=SilentGateway(), clock=kit.clock)
    page = PortalTestClient(PortalWebApp(portal)).get("/login")
    assert "form-action 'self';" in (page.header("Content-Security-Policy") or "")


def test_a_past_due_banner_names_no_date_the_provider_decides(
        buyer: PortalTestClient, kit: PortalKit) -> None:
    sub = kit.store.get_subscription("sub_1")
    assert sub is not None
    kit.store.save_subscription(attrs.evolve(sub, status=SubscriptionStatus.PAST_DUE))
    page = buyer.get("/subscriptions/sub_1")
    assert 'class="notice notice-error past-due"' in page.text
    assert "Pay now or update your payment method to keep your subscription." in page.text
    # The provider runs its own retries: the portal's period end is not when access ends.
    assert "your access ends on" not in page.text
    assert "Update payment method" in page.text
