from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import checks, mail
from django.core.handlers.wsgi import WSGIHandler
from django.test import override_settings
from werkzeug.test import Client

from waffo_portal import DeliveryFailed, EmailMessage
from waffo_portal.integrations.django import get_portal, get_web_app
from waffo_portal.integrations.django.checks import check_settings
from waffo_portal.integrations.django.conf import template_dirs
from waffo_portal.integrations.django.mail import DjangoMailer
from waffo_portal.testing import PortalKit, make_kit, seed_history
from waffo_portal.testing.client import PortalTestClient

from ..bridge import HOST, WSGIBridge
from ..django_settings import BASE_PORTAL_SETTINGS
from ..flow import check_buyer_journey


def portal_settings(kit: PortalKit, **extra: Any) -> dict[str, Any]:
    return {**BASE_PORTAL_SETTINGS, "STORE": kit.store, "MAILER": kit.mailer,
            "GATEWAY": kit.gateway, "CLOCK": kit.clock, **extra}


@pytest.fixture
def kit() -> Iterator[PortalKit]:
    kit = make_kit()
    seed_history(kit)
    with override_settings(WAFFO_PORTAL=portal_settings(kit)):
        yield kit


def test_buyer_journey_through_django(kit: PortalKit) -> None:
    bridge = WSGIBridge(WSGIHandler(), get_portal(), "/billing")
    check_buyer_journey(PortalTestClient(bridge), kit)  # type: ignore[arg-type]


def test_settings_build_the_ports_and_reset_when_changed(kit: PortalKit) -> None:
    assert get_portal()._deps.store is kit.store
    first = get_web_app()
    assert get_web_app() is first  # built once
    with override_settings(WAFFO_PORTAL={**BASE_PORTAL_SETTINGS, "default_locale": "fr"}):
        rebuilt = get_portal()
        assert rebuilt.config.default_locale == "fr"
        assert type(rebuilt._deps.store).__name__ == "DjangoStore"  # the default store
        assert isinstance(rebuilt._deps.mailer, DjangoMailer)


def test_merchant_view_mints_a_login_link(kit: PortalKit) -> None:
    answer = Client(WSGIHandler()).get("/manage/", base_url=HOST)
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("https://shop.example/billing/login/")


def test_cookies_headers_and_django_middleware(kit: PortalKit) -> None:
    http = Client(WSGIHandler(), use_cookies=False)
    answer = http.get("/billing/login?lang=ar", base_url=HOST)
    assert answer.status_code == 200 and 'dir="rtl"' in answer.get_data(as_text=True)
    cookie = answer.headers.get("Set-Cookie", "").strip()  # Django writes " name=value"
    assert cookie.startswith("__Host-waffo_portal_lang=ar;")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    # Django's CSRF middleware must not stand in the way: the portal checks its own token.
    posted = http.post("/billing/login", base_url=HOST, data={"email": "ada@example.com"})
    assert posted.status_code == 403
    assert "CSRF verification failed" not in posted.get_data(as_text=True)  # Django's page
    assert not kit.mailer.outbox
    assert http.get("/billing/nope", base_url=HOST).status_code == 404


def test_templates_are_overridable_from_template_dirs(kit: PortalKit, tmp_path: Path) -> None:
    (tmp_path / "waffo_portal").mkdir()
    (tmp_path / "waffo_portal" / "login_sent.html").write_text(
        "{% extends 'waffo_portal/base.html' %}{% block content %}CUSTOM SENT{% endblock %}")
    templates = [{"BACKEND": "django.template.backends.django.DjangoTemplates",
                  "DIRS": [str(tmp_path)], "APP_DIRS": True}]
    with override_settings(TEMPLATES=templates):
        assert template_dirs()[0] == tmp_path
        answer = Client(WSGIHandler()).get("/billing/login/sent", base_url=HOST)
    assert "CUSTOM SENT" in answer.get_data(as_text=True)


@pytest.mark.parametrize(("change", "error_id"), [
    ({"SECRET_KEYS": ["short"]}, "waffo_portal.E001"),
    ({"SESION_LIFETIME": 60}, "waffo_portal.E001"),
    ({"GATEWAY": None}, "waffo_portal.E003"),
    ({"STORE": "myshop.nowhere.Store"}, "waffo_portal.E004"),
    ({"WEBHOOKS": ["myshop.nowhere.Source"]}, "waffo_portal.E004"),
    ({"BASE_URL": "https://shop.example/account"}, "waffo_portal.E005"),
])
def test_system_checks_refuse_bad_settings(change: dict[str, Any], error_id: str) -> None:
    with override_settings(WAFFO_PORTAL={**BASE_PORTAL_SETTINGS, **change}):
        found = check_settings()
    assert [e.id for e in found] == [error_id]
    assert all(e.level == checks.ERROR for e in found)


def test_a_provider_instead_of_a_gateway_passes_the_checks() -> None:
    settings = {**BASE_PORTAL_SETTINGS, "GATEWAY": None,
                "PROVIDER": "tests.provider.fake.ScriptedProvider"}
    with override_settings(WAFFO_PORTAL=settings):
        assert check_settings() == []


def test_system_checks_pass_and_want_use_tz() -> None:
    assert check_settings() == []
    with override_settings(USE_TZ=False):
        assert [e.id for e in check_settings()] == ["waffo_portal.E002"]
    with override_settings(WAFFO_PORTAL=None):
        assert [e.id for e in check_settings()] == ["waffo_portal.E001"]
    with override_settings(WAFFO_PORTAL={**BASE_PORTAL_SETTINGS, "SECRET_KEYS": ["x"]}):
        registered = checks.run_checks(tags=["waffo_portal"])  # what manage.py check runs
    assert [e.id for e in registered] == ["waffo_portal.E001"]


def test_django_mailer_sends_text_and_html() -> None:
    mail.outbox = []
    DjangoMailer().send(EmailMessage("ada@example.com", "Sign in", "text body", "<p>html</p>",
                                     (("X-Portal", "1"),)))
    sent = mail.outbox[0]
    assert sent.to == ["ada@example.com"] and sent.body == "text body"
    assert sent.from_email == "billing@shop.example"
    assert sent.alternatives[0][0] == "<p>html</p>"  # type: ignore[attr-defined]
    assert sent.extra_headers == {"X-Portal": "1"}


def test_django_mailer_wraps_backend_errors() -> None:
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                           EMAIL_HOST="127.0.0.1", EMAIL_PORT=9, EMAIL_TIMEOUT=2), \
            pytest.raises(DeliveryFailed):
        DjangoMailer().send(EmailMessage("ada@example.com", "s", "t"))


def test_each_settings_problem_is_its_own_error_with_its_own_hint() -> None:
    bad = {**BASE_PORTAL_SETTINGS, "SECRET_KEYS": ["short"], "SESION_LIFETIME": 60}
    with override_settings(WAFFO_PORTAL=bad):
        found = check_settings()
    assert [e.id for e in found] == ["waffo_portal.E001", "waffo_portal.E001"]
    messages = " | ".join(e.msg for e in found)
    assert "secret_keys" in messages and "did you mean 'session_lifetime'" in messages
    assert {e.hint for e in found} == {"Fix settings.WAFFO_PORTAL['SECRET_KEYS'].",
                                       "Fix settings.WAFFO_PORTAL['SESION_LIFETIME']."}
