"""Django set up for the shop's tests, as pytest-django would: the shop's settings, a
fresh SQLite file migrated and seeded once per run, mail kept in ``django.core.mail.outbox``."""

from __future__ import annotations

import io
import os
import shutil
import tempfile

import pytest

_database_dir = tempfile.mkdtemp(prefix="shop-tests-")


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
    os.environ["SHOP_DB"] = os.path.join(_database_dir, "shop.sqlite3")  # never db.sqlite3
    import django
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("seed_shop", stdout=io.StringIO())  # quiet: "seeded 7 demo buyer(s)"


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_database_dir, ignore_errors=True)
