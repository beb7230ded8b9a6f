"""Configure Django once per test process (pytest-django is not used).

SQLite (a temporary file, so the contract's threads share it) is always there; a
PostgreSQL alias ``postgres`` (its own throw-away schema) is added when
WAFFO_TEST_POSTGRES_URL is set. Migrations run once per alias.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import tempfile
from typing import Any
from urllib.parse import urlsplit

import pytest

from waffo_portal.testing.factories import TEST_SECRET

POSTGRES_URL = os.environ.get("WAFFO_TEST_POSTGRES_URL")
_STATE: dict[str, Any] = {}
BASE_PORTAL_SETTINGS = {
    "SECRET_KEYS": [TEST_SECRET], "BASE_URL": "https://shop.example/billing",
    "ALLOWED_RETURN_HOSTS": ["shop.example"], "GATEWAY": "waffo_portal.TestGateway",
    "BRANDING": {"name": "Test Shop Inc.", "country": "US",
                 "address": ["1 Market Street", "San Francisco, CA 94105"]},
    "TAX_RATES": {"US": "0", "*": "0"},
    "MAIL_DELIVERY": "inline",  # sent right after the commit, so the test reads it at once
}


def _postgres_alias(url: str, schema: str) -> dict[str, Any]:
    parts = urlsplit(url)
    return {"ENGINE": "django.db.backends.postgresql", "NAME": parts.path.lstrip("/"),
            "USER": parts.username or "", "PASSWORD": parts.password or "",
            "HOST": parts.hostname or "", "PORT": parts.port or "",
            "OPTIONS": {"options": f"-c search_path={schema}"}, "TEST": {"NAME": None}}


def _create_schema(url: str) -> str:
    import psycopg

    schema = f"waffo_dj_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    atexit.register(drop)
    return schema


def configure_django() -> None:
    """Idempotent: the first caller configures settings, migrates and sets up apps."""
    if _STATE:
        return
    import django
    from django.conf import settings
    from django.core.management import call_command

    folder = tempfile.mkdtemp(prefix="waffo-django-")
    atexit.register(shutil.rmtree, folder, True)
    databases: dict[str, Any] = {"default": {
        "ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(folder, "portal.db"),
        # Writers wait for each other instead of failing with "database is locked".
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 30},
    }}
    if POSTGRES_URL:
        databases["postgres"] = _postgres_alias(POSTGRES_URL, _create_schema(POSTGRES_URL))
    settings.configure(
        DEBUG=False, USE_TZ=True, SECRET_KEY="django-test-" + TEST_SECRET,
        ALLOWED_HOSTS=["shop.example", "127.0.0.1", "localhost", "testserver"],
        # The contrib apps serve the read-only admin's tests (tests/django_adapter/test_admin.py).
        INSTALLED_APPS=["django.contrib.admin", "django.contrib.auth",
                        "django.contrib.contenttypes", "django.contrib.sessions",
                        "django.contrib.messages", "waffo_portal.integrations.django"],
        DATABASES=databases, ROOT_URLCONF="tests.django_adapter.urls",
        MIDDLEWARE=["django.middleware.security.SecurityMiddleware",
                    "django.contrib.sessions.middleware.SessionMiddleware",
                    "django.middleware.common.CommonMiddleware",
                    "django.middleware.csrf.CsrfViewMiddleware",
                    "django.contrib.auth.middleware.AuthenticationMiddleware",
                    "django.contrib.messages.middleware.MessageMiddleware",
                    "django.middleware.clickjacking.XFrameOptionsMiddleware"],
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates",
                    "DIRS": [], "APP_DIRS": True, "OPTIONS": {"context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages"]}}],
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DEFAULT_FROM_EMAIL="billing@shop.example",
        WAFFO_PORTAL=BASE_PORTAL_SETTINGS,
    )
    django.setup()
    for alias in databases:
        call_command("migrate", database=alias, verbosity=0)
    _STATE["databases"] = list(databases)


def require_postgres(using: str = "postgres") -> None:
    """Skip a Django test on PostgreSQL when no server is configured (CI sets one, and a
    skip fails CI there)."""
    if using == "postgres" and not POSTGRES_URL:
        pytest.skip("WAFFO_TEST_POSTGRES_URL is not set")


def clear_tables(using: str = "default") -> None:
    from django.apps import apps

    for model in apps.get_app_config("waffo_portal").get_models():
        model.objects.using(using).all().delete()
