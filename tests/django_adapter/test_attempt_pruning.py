"""The Django store prunes expired rate-limit attempts of every bucket and records none
past a limit (the same rules as tests/auth/test_rate_limit_hardening.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from waffo_portal.integrations.django import models as m
from waffo_portal.integrations.django.store import DjangoStore

from ..django_settings import clear_tables, configure_django

T0 = datetime(2026, 1, 1, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


def test_one_off_buckets_are_pruned_and_limits_record_nothing() -> None:
    configure_django()
    clear_tables("default")
    store = DjangoStore()
    for index in range(50):
        store.count_attempt(f"login:email:{index}", WINDOW, T0)
    assert m.Attempt.objects.count() == 50
    assert [store.count_attempt("b", WINDOW, T0, 2) for _ in range(4)] == [1, 2, 3, 3]
    store.count_attempt("later", WINDOW, T0 + WINDOW + timedelta(seconds=1))
    assert list(m.Attempt.objects.values_list("bucket", flat=True)) == ["later"]
    clear_tables("default")
