"""A portal the CLI tests load with --app, on a SQLite file named by the environment."""

from __future__ import annotations

import os
from datetime import timedelta

from waffo_portal import FrozenClock, MemoryMailer, Portal, TestGateway
from waffo_portal.stores.sql import SqlStore
from waffo_portal.testing import make_kit
from waffo_portal.testing.factories import EPOCH, test_config

NOW = EPOCH + timedelta(days=40)  # the seeded January subscription is due


MAILER = MemoryMailer()  # shared by every build(), so a test sees what the worker sent


def build(**config: object) -> Portal:
    store = SqlStore.from_url(f"sqlite:///{os.environ['CLI_TEST_DB']}", migrate=True)
    if store.get_buyer("buyer_1") is None:
        make_kit(store)  # seeds buyers, plans and one subscription
    return Portal(test_config(**config), store=store, mailer=MAILER, gateway=TestGateway(),
                  clock=FrozenClock(NOW))
