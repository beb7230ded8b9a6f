"""A scripted billing provider: records every call, answers what the test told it to."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from waffo_portal.core.models import Order
from waffo_portal.core.proration import PlanChangeQuote
from waffo_portal.core.provider import ActionStatus, ProviderAction, ProviderOutcome

Answer = Callable[[ProviderAction], ProviderOutcome]
ORIGIN = "https://pay.provider.example"


def confirm_at(path: str) -> Answer:
    return lambda action: ProviderOutcome(ActionStatus.CONFIRM,
                                          redirect_url=f"{ORIGIN}{path}?k={action.idempotency_key}")


@attrs.define
class ScriptedProvider:
    name: str = "scripted"
    redirect_origins: tuple[str, ...] = (ORIGIN,)
    answers: dict[str, Answer] = attrs.Factory(dict)
    calls: list[tuple[str, ProviderAction]] = attrs.Factory(list)
    quote: PlanChangeQuote | None = None

    def _answer(self, verb: str, action: ProviderAction) -> ProviderOutcome:
        self.calls.append((verb, action))
        return self.answers[verb](action)

    def quote_change(self, action: ProviderAction) -> PlanChangeQuote | None:
        self.calls.append(("quote_change", action))
        return self.quote

    def change_plan(self, action: ProviderAction) -> ProviderOutcome:
        return self._answer("change_plan", action)

    def cancel(self, action: ProviderAction) -> ProviderOutcome:
        return self._answer("cancel", action)

    def reactivate(self, action: ProviderAction) -> ProviderOutcome:
        return self._answer("reactivate", action)

    def undo_scheduled_change(self, action: ProviderAction) -> ProviderOutcome:
        return self._answer("undo_scheduled_change", action)

    def payment_method_update_url(self, action: ProviderAction) -> str:
        self.calls.append(("payment_method_update_url", action))
        return f"{ORIGIN}/card?back={action.return_url}"

    def pay_open_invoice(self, order: Order, *, idempotency_key: str,
                         return_url: str) -> ProviderOutcome:
        return ProviderOutcome(ActionStatus.CONFIRM, redirect_url=f"{ORIGIN}/pay/{order.id}")

    def verbs(self) -> list[str]:
        return [verb for verb, _ in self.calls]
