"""Security hardening of the login rate limits: a third party cannot starve an address's
owner, requests over the network limit record nothing, and expired attempts of every
bucket are pruned (memory, SQLite, PostgreSQL; Django runs the same code path in
tests/django_adapter/test_attempt_pruning.py)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from waffo_portal.ports import Store
from waffo_portal.stores.memory import MemoryStore
from waffo_portal.stores.sql import SqlStore
from waffo_portal.stores.sql import schema as tables
from waffo_portal.testing import PortalKit, make_kit


def attempt_rows(store: Store) -> int:
    if isinstance(store, MemoryStore):
        return sum(len(times) for times in store._t["attempts"].values())
    assert isinstance(store, SqlStore)
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(tables.attempts)).scalar_one())


def test_someone_elses_requests_never_use_up_the_owners_budget(store: Store) -> None:
    kit = make_kit(store)
    limit = kit.portal.config.login_rate_per_email
    for _ in range(limit + 3):  # an attacker from one network
        kit.portal.request_login_link("ada@example.com", client_ip="198.51.100.66")
    sent = len(kit.mailer.outbox)
    kit.portal.request_login_link("ada@example.com", client_ip="203.0.113.7")  # the owner
    assert len(kit.mailer.outbox) == sent + 1
    # Requests refused by the network limit count against no address.
    per_ip = kit.portal.config.login_rate_per_ip
    for index in range(per_ip + 10):
        kit.portal.request_login_link(f"x{index}@example.com", client_ip="192.0.2.1")
    kit.portal.request_login_link("ada@example.com", client_ip="192.0.2.1")  # refused: ip
    kit.portal.request_login_link("ada@example.com", client_ip="192.0.2.200")
    assert kit.mailer.outbox[-1].to == "ada@example.com"


def test_a_flood_of_random_addresses_stays_bounded_and_is_pruned(store: Store) -> None:
    kit = make_kit(store)
    per_ip = kit.portal.config.login_rate_per_ip
    for index in range(300):
        kit.portal.request_login_link(f"r{index}@example.com", client_ip="198.51.100.7")
    # Before: two rows per request, kept forever (600 here). Now: the network's budget
    # (three buckets, plus the short-lived row an unknown address writes for even timing).
    assert attempt_rows(store) <= 4 * per_ip
    kit.clock.advance(kit.portal.config.login_rate_window + timedelta(seconds=1))
    kit.portal.request_login_link("ada@example.com", client_ip="203.0.113.7")
    assert attempt_rows(store) == 3  # only this request's own buckets are left


def test_the_store_records_no_attempt_past_the_limit(kit: PortalKit) -> None:
    store, now, window = kit.store, kit.clock.now(), timedelta(minutes=15)
    counts = [store.count_attempt("b", window, now, 2) for _ in range(4)]
    assert counts == [1, 2, 3, 3]
    assert attempt_rows(store) == 2
