"""A portal on each kind of store (memory, SQLite, PostgreSQL) for the sync tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from waffo_portal.clock import FrozenClock
from waffo_portal.core.models import PortalEvent
from waffo_portal.mail.memory import MemoryMailer
from waffo_portal.payments import TestGateway
from waffo_portal.ports import Store
from waffo_portal.service import Portal
from waffo_portal.stores.memory import MemoryStore
from waffo_portal.stores.sql import SqlStore
from waffo_portal.testing.factories import test_config

from ..sql.conftest import pg_engine, pg_schema, pg_store  # noqa: F401  (fixtures)
from .records import SEPT


class Events:
    def __init__(self) -> None:
        self.seen: list[PortalEvent] = []

    def emit(self, event: PortalEvent) -> None:
        self.seen.append(event)


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
    elif request.param == "sqlite":
        sql = SqlStore.from_url(f"sqlite:///{tmp_path / 'portal.db'}", migrate=True)
        yield sql
        sql.engine.dispose()
    else:
        yield request.getfixturevalue("pg_store")


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(SEPT.replace(day=20))


@pytest.fixture
def portal(store: Store, events: Events, clock: FrozenClock) -> Portal:
    return Portal(test_config(), store=store, mailer=MemoryMailer(), gateway=TestGateway(),
                  clock=clock, events=events)
