"""What a payment gateway answers for a charge: a value type shared by ports and adapters."""

from __future__ import annotations

import attrs

from .money import Money


@attrs.frozen
class ChargeResult:
    reference: str  # the provider's id of the charge
    amount: Money
