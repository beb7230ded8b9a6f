"""The login email in every supported locale: escaped, localized, link and lifetime present."""

from __future__ import annotations

import pytest

from waffo_portal import SUPPORTED_LOCALES, Branding
from waffo_portal.mail.login_email import login_email

LINK = "https://shop.example/billing/login/confirm?token=a.b-c_d"


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_locale_has_its_own_complete_email(locale: str) -> None:
    message = login_email("ada@example.com", locale, LINK, 12, Branding(name="Acme"))
    english = login_email("ada@example.com", "en", LINK, 12, Branding(name="Acme"))
    for body in (message.text, message.html):
        assert LINK in body and "12" in body and "Acme" in body
    assert "Acme" in message.subject
    if locale != "en":
        assert message.subject != english.subject
        assert message.text != english.text
    assert ('dir="rtl"' in message.html) == (locale == "ar")
    assert f'lang="{locale}"' in message.html


def test_merchant_name_is_escaped_in_html_and_kept_out_of_headers() -> None:
    message = login_email("a@example.com", "en", LINK, 15,
                          Branding(name='<img src=x onerror="alert(1)">\r\nBcc: x@evil'))
    assert "<img" not in message.html and "&lt;img" in message.html
    assert "\r" not in message.subject and "\n" not in message.subject


@pytest.mark.parametrize(("locale", "one", "many"), [
    ("en", "expires in 1 minute and", "expires in 15 minutes and"),
    ("de", "in 1 Minute ab", "in 15 Minuten ab"),
    ("ja", "有効期限は 1 分で", "有効期限は 15 分で"),
])
def test_lifetime_uses_plural_forms(locale: str, one: str, many: str) -> None:
    assert one in login_email("a@example.com", locale, LINK, 1, Branding(name="A")).text
    assert many in login_email("a@example.com", locale, LINK, 15, Branding(name="A")).text


def test_unknown_locale_falls_back_to_english() -> None:
    message = login_email("a@example.com", "xx", LINK, 15, Branding(name="Acme"))
    assert message.subject == "Your sign-in link for Acme"
