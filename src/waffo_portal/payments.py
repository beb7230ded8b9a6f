"""A scriptable test gateway for merchants' tests and the demo."""

from __future__ import annotations

import enum
import itertools
import threading
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

import attrs

from .core.charges import ChargeResult
from .core.exceptions import PaymentDeclined, PaymentTimeout
from .core.money import Money


@attrs.frozen
class RecordedCharge:
    reference: str
    buyer_id: str
    subscription_id: str | None
    amount: Money
    idempotency_key: str
    description: str


class GatewayMode(enum.Enum):
    SUCCEED = "succeed"
    DECLINE = "decline"
    # The provider charges but the answer is lost: the worst case for double charges.
    TIMEOUT_AFTER_CHARGE = "timeout_after_charge"
    # The provider never saw the request.
    TIMEOUT_BEFORE_CHARGE = "timeout_before_charge"


class TestGateway:
    """An in-process payment provider that deduplicates on idempotency keys like a real one.

    ``charges`` holds each charge that really happened, so tests can count them.
    """

    __test__ = False  # not a pytest test class

    def __init__(self, mode: GatewayMode = GatewayMode.SUCCEED,
                 update_url: str = "https://payments.example/update") -> None:
        self.mode = mode
        self.charges: list[RecordedCharge] = []
        self.refunds: dict[str, Money] = {}  # charge reference -> amount given back
        self.calls = 0
        self.before_charge: Callable[[], None] | None = None
        self._by_key: dict[str, RecordedCharge | str] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._update_url = update_url
        # The card page's origin: the portal's CSP lets the browser be sent there.
        parts = urlsplit(update_url)
        self.redirect_origins = (f"{parts.scheme}://{parts.netloc}",)

    def charge(self, *, buyer_id: str, subscription_id: str | None, amount: Money,
               idempotency_key: str, description: str) -> ChargeResult:
        if self.before_charge is not None:
            self.before_charge()  # lets race tests widen the window
        with self._lock:
            self.calls += 1
            previous = self._by_key.get(idempotency_key)
            if isinstance(previous, RecordedCharge):
                return ChargeResult(previous.reference, previous.amount)
            if isinstance(previous, str):
                raise PaymentDeclined(key="payment.declined", reason=previous)
            if self.mode is GatewayMode.TIMEOUT_BEFORE_CHARGE:
                raise PaymentTimeout(key="payment.timeout", reason="timeout",
                                     retryable=True)
            if self.mode is GatewayMode.DECLINE:
                self._by_key[idempotency_key] = "card_declined"
                raise PaymentDeclined(key="payment.declined", reason="card_declined")
            charge = RecordedCharge(f"ch_test_{next(self._ids)}", buyer_id, subscription_id,
                                    amount, idempotency_key, description)
            self._by_key[idempotency_key] = charge
            self.charges.append(charge)
            if self.mode is GatewayMode.TIMEOUT_AFTER_CHARGE:
                raise PaymentTimeout(key="payment.timeout", reason="timeout",
                                     retryable=True)
            return ChargeResult(charge.reference, amount)

    def refund(self, *, reference: str, amount: Money, idempotency_key: str,
               reason: str) -> None:
        """Give back a charge (deduplicated on the key: a repeat refunds nothing more)."""
        with self._lock:
            if self._by_key.get(idempotency_key) == "refunded":
                return
            if not any(charge.reference == reference for charge in self.charges):
                raise ValueError(f"no charge {reference}")
            self._by_key[idempotency_key] = "refunded"
            self.refunds[reference] = self.refunds.get(reference, Money.zero(
                amount.currency)) + amount

    def payment_method_update_url(self, *, buyer_id: str, subscription_id: str,
                                  return_url: str) -> str:
        query = urlencode({"subscription": subscription_id, "return_url": return_url})
        return f"{self._update_url}?{query}"
