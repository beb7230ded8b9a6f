"""The ports a use case runs against, plus the bookkeeping every use case shares."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from typing import Protocol

import attrs

from ..core.charges import ChargeResult
from ..core.config import PortalConfig
from ..core.exceptions import ConfigurationError
from ..core.models import AuditEvent, PortalEvent
from ..core.money import Money
from ..ports import BillingProvider, Clock, EventSink, Mailer, PaymentGateway, Store, TaxPolicy
from ..tokens import Tokens

log = logging.getLogger("waffo_portal")


def new_id(prefix: str) -> str:
    """An unguessable id (96 random bits); ids are never the access control, but cheap to harden."""
    return f"{prefix}_{secrets.token_urlsafe(12)}"


class NoGateway:
    """The gateway of a portal with a provider of record: the portal never charges."""

    def charge(self, **_kwargs: object) -> ChargeResult:
        raise ConfigurationError("a provider of record charges; the portal does not",
                                 setting="gateway")

    def payment_method_update_url(self, **_kwargs: object) -> str:
        raise ConfigurationError("the provider of record hosts the card page",
                                 setting="gateway")


class NullEventSink:
    def emit(self, event: PortalEvent) -> None:
        return None


class MailSender(Protocol):
    """Who sends the outbox (use_cases.outbox): told after each commit that enqueued mail."""

    def wake(self, deps: Deps) -> None: ...


class NoSender:
    """``mail_delivery="external"``: a worker or the merchant's task queue sends."""

    def wake(self, deps: Deps) -> None:
        return None


@attrs.frozen
class Deps:
    config: PortalConfig
    store: Store
    mailer: Mailer
    gateway: PaymentGateway
    clock: Clock
    events: EventSink = attrs.field(factory=NullEventSink)
    # None: standalone, the portal is the billing engine (use_cases.standalone).
    provider: BillingProvider | None = None
    # Standalone only: the tax of the orders the portal makes (None with a provider).
    tax: TaxPolicy | None = None
    mail_sender: MailSender = attrs.field(factory=NoSender)
    # Built once from the config and clock above (it derives nothing from a request).
    tokens: Tokens = attrs.field(init=False, default=attrs.Factory(
        lambda self: Tokens(self.config.secret_keys, self.clock), takes_self=True))

    def audit(self, *, actor: str, action: str, subject: str,
              old: Mapping[str, str] | None = None, new: Mapping[str, str] | None = None,
              amount: Money | None = None, idempotency_key: str | None = None) -> None:
        self.store.add_audit_event(AuditEvent(
            id=new_id("aud"), at=self.clock.now(), actor=actor, action=action, subject=subject,
            old=dict(old or {}), new=dict(new or {}), amount=amount,
            idempotency_key=idempotency_key,
        ))

    def emit(self, type_: str, buyer_id: str, subscription_id: str | None = None,
             **data: str) -> None:
        """Tell the merchant's sink once the current transaction commits (never for a
        change that rolled back, even by a merchant's surrounding transaction); its
        failure must never undo a committed change."""
        event = PortalEvent(type=type_, at=self.clock.now(), buyer_id=buyer_id,
                            subscription_id=subscription_id, data=data)
        self.store.on_commit(lambda: self._deliver(event))

    def _deliver(self, event: PortalEvent) -> None:
        try:
            self.events.emit(event)
        except Exception:
            log.exception("event sink failed for %s", event.type)


def charged(amount: Money | None) -> dict[str, str]:
    """An event's ``amount`` (minor units) and ``currency`` of what was charged; nothing
    when no charge happened, so a payload never reports a zero it did not take."""
    if amount is None or amount.amount == 0:
        return {}
    return {"amount": str(amount.amount), "currency": amount.currency}
