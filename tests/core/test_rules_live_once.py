"""Business rules that every store needs live once, in the core; stores only call them."""

from __future__ import annotations

import re
from pathlib import Path

from waffo_portal.core.models import (
    DUE_STATUSES,
    SubscriptionStatus,
    invoice_number,
    normalize_email,
)

SRC = Path(__file__).resolve().parents[2] / "src" / "waffo_portal"
RULES = Path("core") / "models.py"
# Hand-written copies of the rules: the number format, email lower-casing, a due-status list.
COPIES = {
    "invoice number format": re.compile(r":06d\}"),
    "email normalisation": re.compile(r"email\w*\.strip\(\)\.lower\(\)"),
    "due-status list": re.compile(r"['\"]canceling['\"],\s*['\"]past_due['\"]"),
}


def test_no_module_outside_the_core_rules_repeats_them() -> None:
    found = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        if rel == RULES or "migrations" in rel.parts:  # migrations are frozen history
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{rel}: {name}" for name, pattern in COPIES.items() if pattern.search(text)]
    assert found == []


def test_the_rules_themselves() -> None:
    assert invoice_number("INV-", 7) == "INV-000007"
    assert invoice_number("X", 1_234_567) == "X1234567"
    assert normalize_email("  Alice@Example.COM ") == "alice@example.com"
    due = {SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING, SubscriptionStatus.CANCELING,
           SubscriptionStatus.PAST_DUE}
    assert due == DUE_STATUSES
