"""Settings of the example shop (development only: DEBUG, http, a throw-away secret)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from waffo_portal.demo import DEMO_TAX_RATES

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = os.environ.get("SHOP_DJANGO_SECRET") or secrets.token_urlsafe(40)
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
USE_TZ = True
ROOT_URLCONF = "shop.urls"
INSTALLED_APPS = [
    "django.contrib.staticfiles",
    "shop",
    "waffo_portal.integrations.django",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [], "APP_DIRS": True,
    "OPTIONS": {"context_processors": ["django.template.context_processors.csrf"]},
}]
DATABASES = {"default": {
    "ENGINE": "django.db.backends.sqlite3",
    "NAME": os.environ.get("SHOP_DB", str(BASE_DIR / "db.sqlite3")),
    "OPTIONS": {"transaction_mode": "IMMEDIATE"},
}}
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = "billing@acme.example"
STATIC_URL = "static/"

# --- the portal: one settings dict (checked by `manage.py check`)
WAFFO_PORTAL = {
    "SECRET_KEYS": [os.environ.get("SHOP_PORTAL_SECRET") or secrets.token_urlsafe(32)],
    "BASE_URL": "http://127.0.0.1:8000/billing",
    "GATEWAY": "waffo_portal.TestGateway",  # your payment provider's PaymentGateway
    "BRANDING": {"name": "Acme Cloud", "support_email": "support@acme.example",
                 "country": "IE", "address": ["1 Dock Road", "Dublin D02 XY45", "Ireland"],
                 "tax_id": "IE6388047V",
                 "merchant_url": "/"},  # the portal's "← Back to Acme Cloud" link
    # VAT per country for the orders the portal makes itself (upgrades, renewals): every
    # EU member state and "*" for the rest; a missing rate stops `manage.py check`.
    "TAX_RATES": DEMO_TAX_RATES,
    "COOKIE_SECURE": False, "COOKIE_NAME": "shop_portal",  # local http only
    # STORE defaults to the Django ORM store, MAILER to django.core.mail.
}
