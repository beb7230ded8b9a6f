"""Waffo Pancake as the portal's billing provider of record.

What Waffo decides, the portal asks for and then shows:

- **Plan change**: a checkout session in plan-change mode (``originOrderId``); the buyer
  confirms, and pays if due, on Waffo's page (``CONFIRM``). Nothing switches on the
  redirect back: the result arrives as ``subscription.plan_changed`` /
  ``plan_change_scheduled`` / ``plan_change_failed`` and the portal shows the change as
  pending meanwhile.
- **Cancel**: ``cancel-order``, ending at the period end; the buyer's reason stays in
  the portal (Waffo has no field for it).
- **Reactivate**: ``reactivate-order`` as the buyer (a five-minute session token).
- **Payment method, open invoices, billing details**: Waffo has no API for them; the
  buyer is sent to Waffo's hosted consumer portal.

Every write carries an idempotency key derived from the portal's own key, which the
portal stores before the call: a retry, by the client or by the buyer, sends the same
key and Waffo runs the write once.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from urllib.parse import urlsplit

import attrs

from ...clock import SystemClock
from ...core.exceptions import Conflict, ProviderUnavailable, ValidationError
from ...core.models import Cancellation, Order, Subscription, SubscriptionStatus
from ...core.proration import PlanChangeQuote
from ...core.provider import ActionStatus, ProviderAction, ProviderOutcome
from ...core.sync import SubscriptionRecord, SyncRecord
from ...ports import Clock
from .client import WaffoClient
from .reads import WaffoReader
from .settings import WaffoSettings
from .shapes import moment
from .webhooks import WaffoWebhooks

log = logging.getLogger("waffo_portal.providers.waffo")

CREATE_SESSION = "/v1/actions/checkout/create-session"
CANCEL_ORDER = "/v1/actions/subscription-order/cancel-order"
REACTIVATE_ORDER = "/v1/actions/subscription-order/reactivate-order"


class WaffoProvider:
    """``BillingProvider`` for Waffo Pancake. ``webhooks()`` is its ``WebhookSource``."""

    name = "waffo"
    # Waffo has no API to edit billing details after a purchase: the portal shows them
    # read-only, with a link to Waffo's consumer portal.
    billing_details_editable = False
    # The buyer confirms plan changes, and sees Waffo's exact amount, on Waffo's page.
    confirms_plan_changes = True

    def __init__(self, settings: WaffoSettings, *, client: WaffoClient | None = None,
                 clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.client = client or WaffoClient(settings,
                                            now=lambda: self.clock.now().timestamp())
        self.reader = WaffoReader(self.client)
        self.redirect_origins = settings.redirect_origins
        self.billing_details_url = settings.consumer_portal_url

    def webhooks(self, name: str = "waffo") -> WaffoWebhooks:
        return WaffoWebhooks(self.reader, name=name)

    def _key(self, verb: str, action: ProviderAction) -> str:
        digest = hashlib.sha256(
            f"{verb}|{action.subscription.id}|{action.idempotency_key}".encode()).hexdigest()
        return f"{self.settings.merchant_id}_{verb}-{digest[:40]}"

    def _now(self) -> datetime:
        return self.clock.now()

    def _hosted(self, url: object) -> str:
        """A URL of one of Waffo's hosted pages (anything else is not followed)."""
        if not isinstance(url, str):
            raise ProviderUnavailable(reason="no url")
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" not in self.redirect_origins:
            raise ProviderUnavailable(reason="url outside Waffo's origins", url=url)
        return url

    def quote_change(self, action: ProviderAction) -> PlanChangeQuote | None:
        return None  # Waffo prices the change on its confirmation page

    def change_plan(self, action: ProviderAction) -> ProviderOutcome:
        assert action.new_plan is not None
        upgrade = action.new_plan.price_per_day() > action.plan.price_per_day()
        body = {"originOrderId": action.subscription.id, "productId": action.new_plan.id,
                "currency": action.plan.price.currency,
                "changeTiming": "immediate" if upgrade else "next_period"}
        if action.return_url:
            body["successUrl"] = action.return_url
        with self.client.budget():
            data = self.client.action(CREATE_SESSION, body,
                                      idempotency_key=self._key("planchange", action))
            url = self._hosted(data.get("checkoutUrl"))
            # The buyer lands signed in: the token rides in the fragment, which the
            # browser never sends to a server or puts in a Referer.
            token = self.client.session_token(action.buyer_id)
        try:  # only for how long the portal shows the change as pending
            expires = moment(data.get("expiresAt"), "expiresAt")
        except ValidationError:
            expires = None
        return ProviderOutcome(ActionStatus.CONFIRM, effective_at=expires,
                               redirect_url=f"{url}#token={token}")

    def _read_back(self, action: ProviderAction, done: Subscription) -> list[SyncRecord]:
        """Waffo's state after a write that succeeded; if the read fails, what the write
        answered (the webhook that follows brings the rest). Never an error: the buyer
        must not be told that a change which happened did not."""
        now = self._now()
        try:
            return self.reader.subscription(action.subscription.id, now)
        except (ProviderUnavailable, Conflict, ValidationError) as error:
            log.warning("Waffo read-back of %s failed after the write: %s",
                        action.subscription.id, error)
            return [SubscriptionRecord(done, self.reader.stamp(now),
                                       keep_stored=("scheduled_change",))]

    def _as_buyer(self, action: ProviderAction, path: str, body: dict[str, str],
                  key: str) -> None:
        """A write with a fresh five-minute buyer token; minted once more if Waffo says
        the token is no longer good (it may expire between minting and use)."""
        for attempt in (1, 2):
            token = self.client.session_token(action.buyer_id)
            try:
                self.client.action(path, body, idempotency_key=key, token=token)
                return
            except ProviderUnavailable as error:
                if attempt == 2 or error.context.get("reason") != "credentials":
                    raise

    def cancel(self, action: ProviderAction) -> ProviderOutcome:
        with self.client.budget():
            data = self.client.action(CANCEL_ORDER, {"orderId": action.subscription.id},
                                      idempotency_key=self._key("cancel", action))
            sub, now = action.subscription, self._now()
            status = (SubscriptionStatus.CANCELED if data.get("status") == "canceled"
                      else SubscriptionStatus.CANCELING)
            end = sub.current_period_end if status is SubscriptionStatus.CANCELING else now
            done = attrs.evolve(sub, status=status, scheduled_change=None, cancellation=(
                Cancellation(None, "", now, max(now, end))))
            records = self._read_back(action, done)
        return ProviderOutcome(ActionStatus.SCHEDULED, effective_at=sub.current_period_end,
                               records=tuple(records))

    def reactivate(self, action: ProviderAction) -> ProviderOutcome:
        with self.client.budget():
            self._as_buyer(action, REACTIVATE_ORDER, {"orderId": action.subscription.id},
                           self._key("reactivate", action))
            done = attrs.evolve(action.subscription, status=SubscriptionStatus.ACTIVE,
                                cancellation=None)
            records = self._read_back(action, done)
        return ProviderOutcome(ActionStatus.APPLIED, effective_at=self._now(),
                               records=tuple(records))

    def undo_scheduled_change(self, action: ProviderAction) -> ProviderOutcome:
        """Waffo has no "drop the scheduled change" call: a change back to the current
        plan, from the next period, confirmed by the buyer like any other change."""
        body = {"originOrderId": action.subscription.id, "productId": action.plan.id,
                "currency": action.plan.price.currency, "changeTiming": "next_period"}
        if action.return_url:
            body["successUrl"] = action.return_url
        with self.client.budget():
            data = self.client.action(CREATE_SESSION, body,
                                      idempotency_key=self._key("undochange", action))
            token = self.client.session_token(action.buyer_id)
        return ProviderOutcome(ActionStatus.CONFIRM, redirect_url=(
            f"{self._hosted(data.get('checkoutUrl'))}#token={token}"))

    def payment_method_update_url(self, action: ProviderAction) -> str:
        return self.settings.consumer_portal_url

    def pay_open_invoice(self, order: Order, *, idempotency_key: str,
                         return_url: str) -> ProviderOutcome:
        # Waffo retries a failed renewal itself; the buyer pays it (or changes the card
        # for the retry) in Waffo's consumer portal.
        return ProviderOutcome(ActionStatus.CONFIRM,
                               redirect_url=self.settings.consumer_portal_url)
